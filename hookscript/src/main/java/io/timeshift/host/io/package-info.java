/**
 * File primitives every package writes through: atomic replace, in-process locks, the JSON reader/writer, and
 * the line sink ({@code LogLines}) workers, stores and hook phases log through.
 */
package io.timeshift.host.io;
