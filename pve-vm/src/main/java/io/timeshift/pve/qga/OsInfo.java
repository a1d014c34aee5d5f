package io.timeshift.pve.qga;

/**
 * The reply of {@code guest-get-osinfo}. Every field is optional in qemu-ga's schema
 * ({@code GuestOSInfo}), so any of them may be {@code null}.
 *
 * @param id            e.g. {@code debian}, {@code mswindows}
 * @param name          e.g. {@code Debian GNU/Linux}
 * @param prettyName    e.g. {@code Debian GNU/Linux 12 (bookworm)}
 * @param version       e.g. {@code 12 (bookworm)}
 * @param versionId     e.g. {@code 12}
 * @param kernelRelease e.g. {@code 6.1.0-56-amd64}
 * @param machine       e.g. {@code x86_64}
 */
public record OsInfo(String id, String name, String prettyName, String version, String versionId,
                     String kernelRelease, String machine) {
    /** True for Windows guests (qemu-ga's {@code commands-win32.c} reports id {@code mswindows}). */
    public boolean isWindows() {
        return "mswindows".equals(id);
    }
}
