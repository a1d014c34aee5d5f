/** Outside text made safe to echo: one line, control characters escaped, bounded length. */
package io.timeshift.common.text;
