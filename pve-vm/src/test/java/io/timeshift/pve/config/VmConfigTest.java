package io.timeshift.pve.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VmConfigTest {
    private static VmConfig with(String key, String value) {
        return new VmConfig(105, null, Map.of(key, value), Map.of(), Map.of());
    }

    @ParameterizedTest(name = "agent: {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "1|true",
            "1,type=virtio|true",
            "enabled=1,fstrim_cloned_disks=1|true",
            "fstrim_cloned_disks=1,enabled=1|true",
            "type=isa,enabled=1|true",
            "enabled=1,freeze-fs-on-backup=0|true",
            "yes|true",
            "on,type=isa|true",
            "0|false",
            "enabled=0|false",
            "0,fstrim_cloned_disks=1|false",
            "type=isa|false",
            "fstrim_cloned_disks=1|false",
            "maybe|false",
    })
    void agentEnabledFollowsPvesPropertyString(String value, boolean enabled) {
        assertEquals(enabled, with("agent", value).agentEnabled());
    }

    @Test
    void absentAgentIsDisabled() {
        assertFalse(with("memory", "512").agentEnabled());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a;b", "a,b", "a b", " a ;; b ,", "a; b"})
    void tagsSplitOnSemicolonCommaOrSpace(String value) {
        assertEquals(List.of("a", "b"), with("tags", value).tags());
    }

    @Test
    void noTagsIsAnEmptyList() {
        assertEquals(List.of(), with("memory", "1").tags());
    }

    @Test
    void templateIsABoolean() {
        assertTrue(with("template", "1").template());
        assertFalse(with("template", "0").template());
        assertFalse(with("memory", "1").template());
    }

    @Test
    void lockAndVmstateReadTheMainSection() {
        VmConfig c = new VmConfig(105, "", Map.of("lock", "backup", "vmstate", "local:vm-105-state-x"),
                Map.of("lock", "ignored"), Map.of());
        assertEquals(Optional.of("backup"), c.lock());
        assertEquals(Optional.of("local:vm-105-state-x"), c.vmstate());
    }

    @Test
    void handBuiltConfigHasNoDigestAndEmptyDescription() {
        VmConfig c = with("memory", "1");
        assertEquals(Optional.empty(), c.digest());
        assertEquals("", c.description());
    }
}
