package io.timeshift.pve.qga;

/**
 * One reply of {@code guest-file-read}: the bytes read (base64-decoded) and whether the guest hit
 * end of file.
 */
public record FileChunk(byte[] data, boolean eof) {}
