/** File primitives every package writes through: atomic replace, in-process locks, the JSON reader/writer. */
package io.timeshift.host.io;
