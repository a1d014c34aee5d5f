package io.timeshift.host.cli;

import picocli.CommandLine;

/** {@code --version}: the jar's Implementation-Version, or "dev" when run from classes. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    public static String version() {
        try (var in = VersionProvider.class.getResourceAsStream("/io/timeshift/host/version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (java.io.IOException e) {
            return "dev";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"time-shift " + version() + " (Java " + Runtime.version() + ")"};
    }
}
