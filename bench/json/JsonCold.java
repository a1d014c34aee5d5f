import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What one JSON job costs a fresh JVM (the hook's situation): read a policy-sized file, parse it,
 * write it back. Run by bench/json-bench.sh once per JVM with "none", "light" or "jackson".
 */
public final class JsonCold {
    public static void main(String[] args) throws Exception {
        String text = Files.readString(Path.of(args[1]));
        String out;
        switch (args[0]) {
            case "none" -> out = text;
            case "light" -> out = io.timeshift.common.json.LightJson.compact(io.timeshift.common.json.LightJson.parsePlain(text));
            case "jackson" -> {
                com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
                out = m.writeValueAsString(m.readValue(text, java.util.Map.class));
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        if (out.length() < 2) {
            System.exit(1);
        }
    }
}
