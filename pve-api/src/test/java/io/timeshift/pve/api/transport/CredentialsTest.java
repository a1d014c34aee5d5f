package io.timeshift.pve.api.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timeshift.common.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CredentialsTest {
    @TempDir
    Path tmp;

    Path secretFile(String content, String mode) throws IOException {
        Path f = tmp.resolve("secret");
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Nested
    class SecretFilesRule {
        @ParameterizedTest
        @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw------x", "rw--w----"})
        void refusesAFileGroupOrOthersMayAccessAndSaysHowToFixIt(String mode) throws IOException {
            Path f = secretFile("root@pam!ci=abc\n", mode);

            InvalidInputException e = assertThrows(InvalidInputException.class, () -> ApiToken.fromFile(f));

            assertEquals("token file " + f + " is accessible by group/other (mode " + SecretFiles.mode(Files.getPosixFilePermissions(f))
                    + "); it holds a secret: run chmod 600 " + f, e.getMessage());
            assertFalse(e.getMessage().contains("abc"));
            assertEquals(2, e.exitCode());
        }

        @Test
        void readsAnOwnerOnlyFileAndDropsOneTrailingNewline() throws IOException {
            ApiToken t = ApiToken.fromFile(secretFile("root@pam!ci=0b7e3a4c-9d21\n", "rw-------"));
            assertEquals("root@pam!ci", t.tokenId());
            assertEquals("0b7e3a4c-9d21", t.secret().reveal());
        }

        @Test
        void aMissingOrEmptyFileIsNamed() throws IOException {
            Path missing = tmp.resolve("nope");
            assertTrue(assertThrows(InvalidInputException.class, () -> ApiToken.fromFile(missing)).getMessage().contains("does not exist"));
            Path empty = secretFile("\n", "rw-------");
            assertTrue(assertThrows(InvalidInputException.class, () -> ApiToken.fromFile(empty)).getMessage().contains("is empty"));
        }

        @Test
        void passwordFilesFollowTheSameRule() throws IOException {
            Path f = secretFile("pw with spaces\n", "r--------");
            PasswordLogin l = PasswordLogin.fromFile("root@pam", f, null);
            assertEquals("pw with spaces", l.password().reveal());
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-r--"));
            assertTrue(assertThrows(InvalidInputException.class, () -> PasswordLogin.fromFile("root@pam", f, null))
                    .getMessage().startsWith("password file " + f));
        }
    }

    @Nested
    class Tokens {
        @Test
        void parsesTheEnvironmentVariable() {
            ApiToken t = ApiToken.fromEnvironment(Map.of(ApiToken.ENV, "time-shift@pve!api=secret-uuid"));
            assertEquals("time-shift@pve!api", t.tokenId());
            assertEquals("PVEAPIToken=time-shift@pve!api=secret-uuid", t.headerValue());
        }

        @Test
        void anUnsetVariableNamesItAndTheForm() {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> ApiToken.fromEnvironment(Map.of()));
            assertTrue(e.getMessage().contains(ApiToken.ENV + " is not set; set it to user@realm!tokenid=secret"), e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(strings = {"root@pam!ci", "root@pam=abc", "root!ci=abc", "=abc", "root@pam!ci=", "root@pam!ci=a b"})
        void malformedTokensAreRefusedWithoutEchoingTheSecret(String text) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> ApiToken.parse(Secret.of(text), "token file /x"));
            assertFalse(e.getMessage().contains("abc"), e.getMessage());
        }
    }

    @Nested
    class TokenIdsAsProxmoxReadsThem {
        @ParameterizedTest
        @ValueSource(strings = {"john@example.com@oidc!ci", "john.doe@corp.local@ad!backup-1", "a!b@pve!tok",
                "time-shift@pve!api", "root@pam!ci", "ü@pve!tok"})
        void acceptsEveryUserNamePveAccessControlAccepts(String id) {
            assertEquals(id, ApiToken.parse(Secret.of(id + "=6f1d0b1e"), "token file /x").tokenId());
        }

        @ParameterizedTest
        @ValueSource(strings = {"john/doe@pve!tok", "jo hn@pve!tok", "john:x@pve!tok", "john@p!tok", "john@pve!t",
                "john@1pve!tok", "john@pve!1tok", "john@pve", "@pve!tok", "john@pve!tok!x"})
        void refusesWhatItsTokenRegexRefuses(String id) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> ApiToken.parse(Secret.of(id + "=6f1d0b1e"), "token file /x"));
            assertTrue(e.getMessage().contains("is not valid; expected user@realm!tokenid"), e.getMessage());
            assertFalse(e.getMessage().contains("6f1d0b1e"), e.getMessage());
        }

        @Test
        void theSecretIsWhatFollowsTheLastEqualsSign() {
            ApiToken t = ApiToken.parse(Secret.of("a=b@pve!tok=6f1d0b1e"), "token file /x");
            assertEquals("a=b@pve!tok", t.tokenId());
            assertEquals("PVEAPIToken=a=b@pve!tok=6f1d0b1e", t.headerValue());
        }

        @Test
        void theHeaderPercentEncodesWhatTheServerWouldCutOrDecode() {
            ApiToken t = ApiToken.parse(Secret.of("a;b%c\u00fc@pve!tok=s;%"), "token file /x");
            assertEquals("PVEAPIToken=a%3Bb%25c%C3%BC@pve!tok=s%3B%25", t.headerValue());
        }

        @Test
        void aControlCharacterInARefusedIdIsShownEscaped() {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> ApiToken.parse(Secret.of("a\u0007b@pve=6f1d0b1e"), "token file /x"));
            assertTrue(e.getMessage().contains("'a\\u0007b@pve'"), e.getMessage());
        }

        @ParameterizedTest
        @ValueSource(strings = {"john@example.com@oidc", "root@pam", "a!b@pve"})
        void passwordLoginTakesTheSameUserNames(String user) {
            assertEquals(user, new PasswordLogin(user, Secret.of("pw"), null).username());
        }

        @ParameterizedTest
        @ValueSource(strings = {"root", "root@p", "ro ot@pam", "ro/ot@pam", "root@pam!tok!"})
        void passwordLoginRefusesWhatVerifyUsernameRefuses(String user) {
            assertThrows(InvalidInputException.class, () -> new PasswordLogin(user, Secret.of("pw"), null));
        }
    }

    @Nested
    class Secrets {
        @Test
        void neverPrintThemselves() {
            Secret s = Secret.of("hunter2");
            assertEquals("****", s.toString());
            assertEquals("****", String.valueOf(s));
            assertEquals(Secret.of("hunter2"), s);
            assertNotEquals(Secret.of("hunter3"), s);
        }
    }

    @Nested
    class Fingerprints {
        static final String HEX = "29C9B7AD00CED2FC2D0AAB5CBC469E7D085D794E17112839B392CCD5D6753A02";

        @ParameterizedTest
        @ValueSource(strings = {HEX, "29c9b7ad00ced2fc2d0aab5cbc469e7d085d794e17112839b392ccd5d6753a02",
            "29:C9:B7:AD:00:CE:D2:FC:2D:0A:AB:5C:BC:46:9E:7D:08:5D:79:4E:17:11:28:39:B3:92:CC:D5:D6:75:3A:02",
            "sha256 Fingerprint=29:C9:B7:AD:00:CE:D2:FC:2D:0A:AB:5C:BC:46:9E:7D:08:5D:79:4E:17:11:28:39:B3:92:CC:D5:D6:75:3A:02",
            "  29:c9:b7:ad:00:ce:d2:fc:2d:0a:ab:5c:bc:46:9e:7d:08:5d:79:4e:17:11:28:39:b3:92:cc:d5:d6:75:3a:02  "})
        void acceptHexWithOrWithoutColonsInAnyCase(String text) {
            Fingerprint f = Fingerprint.parse(text);
            assertEquals(Fingerprint.parse(HEX), f);
            assertEquals("29:C9:B7:AD:00:CE:D2:FC:2D:0A:AB:5C:BC:46:9E:7D:08:5D:79:4E:17:11:28:39:B3:92:CC:D5:D6:75:3A:02", f.toString());
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "29C9", "ZZC9B7AD00CED2FC2D0AAB5CBC469E7D085D794E17112839B392CCD5D6753A02",
            "29C9B7AD00CED2FC2D0AAB5CBC469E7D085D794E17112839B392CCD5D6753A0200"})
        void rejectAnythingButSha256(String text) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Fingerprint.parse(text));
            assertTrue(e.getMessage().contains("64 hex digits, colons optional"), e.getMessage());
        }
    }
}
