package io.timeshift.guest.sys;

/** Exit code and captured output of one command. */
public record CommandResult(int exitCode, String stdout, String stderr) {
    public boolean ok() {
        return exitCode == 0;
    }

    /** First non-blank line of stderr, else of stdout, for one-line error messages. */
    public String firstErrorLine() {
        for (String s : new String[] {stderr, stdout}) {
            if (s != null) {
                for (String line : s.split("\n")) {
                    if (!line.isBlank()) {
                        return line.trim();
                    }
                }
            }
        }
        return "exit " + exitCode;
    }
}
