package io.timeshift.host.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bash completion and the man page that the package ships must describe the commands as they
 * are. The completion is generated from the picocli command tree (picocli's AutoComplete): this test
 * fails when the shipped file is stale and rewrites it with {@code -Dregenerate=true}. The man page is
 * roff written by hand (picocli-codegen emits AsciiDoc, which would need asciidoctor on every build
 * machine): this test checks it documents every visible subcommand and every option.
 */
class ShippedDocsTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path COMPLETION = REPO.resolve("packaging/completion/time-shift");
    private static final Path MAN = REPO.resolve("packaging/man/time-shift.1");

    @Test
    void shippedBashCompletionIsGeneratedFromTheCommandTree() throws Exception {
        String generated = BashCompletion.script();
        if (Boolean.getBoolean("regenerate")) {
            Files.writeString(COMPLETION, generated, StandardCharsets.UTF_8);
        }
        assertEquals(generated, Files.readString(COMPLETION, StandardCharsets.UTF_8),
                "packaging/completion/time-shift is stale: run mvn -f hookscript/pom.xml test -Dtest=ShippedDocsTest -Dregenerate=true");
    }

    @Test
    void manPageDocumentsEveryCommandAndOption() throws Exception {
        String man = Files.readString(MAN, StandardCharsets.UTF_8).replace("\\-", "-").replace("\\fB", "").replace("\\fR", "");
        CommandLine cl = Cli.commandLine(Services.fromEnvironment(Map.of()));
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            CommandSpec spec = e.getValue().getCommandSpec();
            if (spec.usageMessage().hidden()) {
                continue;
            }
            if (!man.contains(e.getKey())) {
                missing.add("command " + e.getKey());
            }
            for (OptionSpec o : spec.options()) {
                if (o.hidden() || o.usageHelp() || o.versionHelp() || o.longestName().equals("--verbose")) {
                    continue;
                }
                if (!man.contains(o.longestName())) {
                    missing.add(e.getKey() + " " + o.longestName());
                }
            }
        }
        assertTrue(missing.isEmpty(), "packaging/man/time-shift.1 does not document: " + missing);
    }
}
