package io.timeshift.pve.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timeshift.pve.api.error.PveProtocolException;
import io.timeshift.pve.api.json.PveJson;
import io.timeshift.common.error.InvalidInputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Value types of the client: paths, config updates, config views. */
class ModelTest {
    @Nested
    class Paths {
        @Test
        void areBuiltOneSegmentAtATime() {
            assertEquals("/nodes/pve1/qemu/105/config", ApiPath.of("nodes", "pve1").child("qemu").child("105").child("config").toString());
            assertEquals("/", ApiPath.ROOT.toString());
            assertEquals("/nodes/pve1/tasks/UPID:pve1:000A1B2C:0012D687:6744A1B0:qmstart:105:root@pam!ci:/status",
                    ApiPath.of("nodes", "pve1", "tasks", "UPID:pve1:000A1B2C:0012D687:6744A1B0:qmstart:105:root@pam!ci:", "status")
                            .toString());
        }

        @Test
        void refuseSegmentsThatWouldChangeThePath() {
            for (String bad : new String[] {"", "a/b", "..", ".", "a b", "a?b", "a#b", "a\nb"}) {
                assertThrows(IllegalArgumentException.class, () -> ApiPath.ROOT.child(bad), bad);
            }
        }
    }

    @Nested
    class Updates {
        @Test
        void paramsAreSetKeysThenDeleteThenDigest() {
            ConfigUpdate u = ConfigUpdate.builder().digest("5e8d5b1f0c2a3d4e6f7a8b9c0d1e2f3a4b5c6d7e").set("startdate", "2021-03-01")
                    .delete("hookscript").set("agent", true).delete("args").build();
            assertEquals(List.of("startdate", "agent", "delete", "digest"), List.copyOf(u.toParams().keySet()));
            assertEquals(Map.of("startdate", "2021-03-01", "agent", "1", "delete", "hookscript,args",
                    "digest", "5e8d5b1f0c2a3d4e6f7a8b9c0d1e2f3a4b5c6d7e"), u.toParams());
        }

        @Test
        void aKeyCannotBeSetAndDeleted() {
            assertThrows(InvalidInputException.class, () -> ConfigUpdate.builder().set("startdate", "now").delete("startdate"));
            assertThrows(InvalidInputException.class, () -> ConfigUpdate.builder().delete("startdate").set("startdate", "now"));
        }

        @Test
        void invalidKeysAndDigestsAreRefused() {
            assertThrows(InvalidInputException.class, () -> ConfigUpdate.builder().set("Start Date", "x"));
            assertThrows(InvalidInputException.class, () -> ConfigUpdate.builder().set("digest", "x"));
            assertThrows(InvalidInputException.class, () -> ConfigUpdate.builder().delete("a,b"));
            assertThrows(InvalidInputException.class, () -> ConfigUpdate.builder().digest("not-hex"));
        }
    }

    @Nested
    class ConfigViews {
        VmConfigView view(String json) {
            return VmConfigView.from(PveJson.parse(json, "t"), "GET /x");
        }

        @ParameterizedTest(name = "agent: {0} -> {1}")
        @CsvSource(delimiter = '|', value = {"1|true", "0|false", "enabled=1,fstrim_cloned_disks=1|true", "enabled=0|false",
            "1,type=isa|true", "type=virtio,enabled=1|true", "type=virtio|false"})
        void agentEnabledFollowsThePropertyStringDefaultKey(String agent, boolean enabled) {
            assertEquals(enabled, VmConfigView.agentEnabled(agent));
        }

        @Test
        void absentKeysAreEmptyAndTemplateIsABoolean() {
            VmConfigView v = view("{\"digest\":\"abc\",\"template\":1,\"lock\":\"migrate\",\"tags\":\"a b;c\"}");
            assertTrue(v.template());
            assertEquals("migrate", v.lock().orElseThrow());
            assertTrue(v.hookscript().isEmpty());
            assertFalse(v.agentEnabled());
            assertEquals(List.of("a", "b", "c"), v.tags());
        }

        @Test
        void aConfigWithoutDigestIsAProtocolError() {
            assertThrows(PveProtocolException.class, () -> view("{\"name\":\"x\"}"));
        }
    }
}
