/** The one configured ObjectMapper; reports are records named after the contract's fields. */
package io.timeshift.guest.json;
