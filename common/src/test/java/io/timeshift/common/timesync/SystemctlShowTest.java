package io.timeshift.common.timesync;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code systemctl show --property=Id,LoadState,ActiveState,UnitFileState <units>} as guests print it. */
class SystemctlShowTest {
    /** Debian 12 with chrony installed and running; timesyncd installed but off; ntp absent. */
    private static final String DEBIAN_12 = """
            Id=systemd-timesyncd.service
            LoadState=loaded
            ActiveState=inactive
            UnitFileState=disabled

            Id=chrony.service
            LoadState=loaded
            ActiveState=active
            UnitFileState=enabled

            Id=chrony.service
            LoadState=loaded
            ActiveState=active
            UnitFileState=enabled

            Id=ntp.service
            LoadState=not-found
            ActiveState=inactive
            UnitFileState=
            """;

    @Test
    void oneUnitPerBlockInOrderWithAliasesAsPrinted() {
        List<SystemctlShow.Unit> units = SystemctlShow.parse(DEBIAN_12);

        assertEquals(List.of(
                new SystemctlShow.Unit("systemd-timesyncd.service", "loaded", "inactive", "disabled"),
                new SystemctlShow.Unit("chrony.service", "loaded", "active", "enabled"),
                new SystemctlShow.Unit("chrony.service", "loaded", "active", "enabled"), // chronyd.service, an alias
                new SystemctlShow.Unit("ntp.service", "not-found", "inactive", "")), units);
    }

    @Test
    void activeEnabledAndFoundAreDerivedLikeSystemdMeansThem() {
        SystemctlShow.Unit starting = new SystemctlShow.Unit("chrony.service", "loaded", "activating", "enabled-runtime");
        assertTrue(starting.active());
        assertTrue(starting.enabled());
        assertTrue(starting.found());
        SystemctlShow.Unit absent = new SystemctlShow.Unit("ntp.service", "not-found", "inactive", "");
        assertFalse(absent.active());
        assertFalse(absent.enabled());
        assertFalse(absent.found());
        assertFalse(new SystemctlShow.Unit("x.service", "masked", "inactive", "masked").enabled());
        assertFalse(new SystemctlShow.Unit("x.service", null, null, null).enabled());
    }

    @Test
    void aNewIdStartsABlockEvenWithoutTheBlankLineAndCrLfIsTolerated() {
        List<SystemctlShow.Unit> units = SystemctlShow.parse("Id=a.service\r\nActiveState=active\r\nId=b.service\r\n"
                + "UnitFileState=enabled\r\n");

        assertEquals(List.of(new SystemctlShow.Unit("a.service", null, "active", null),
                new SystemctlShow.Unit("b.service", null, null, "enabled")), units);
    }

    @Test
    void blocksWithoutIdAndOutputWithoutUnitsGiveNothing() {
        assertEquals(List.of(), SystemctlShow.parse(""));
        assertEquals(List.of(), SystemctlShow.parse(null));
        assertEquals(List.of(), SystemctlShow.parse("System has not been booted with systemd as init system (PID 1).\n"));
        assertEquals(List.of(new SystemctlShow.Unit("b.service", "loaded", null, null)),
                SystemctlShow.parse("LoadState=loaded\nActiveState=active\n\nId=b.service\nLoadState=loaded\n"));
    }

    @Test
    void argsNameThePropertiesThenTheUnits() {
        assertEquals(List.of("show", "--property=Id,LoadState,ActiveState,UnitFileState", "a.service", "b.service"),
                SystemctlShow.args(List.of("a.service", "b.service")));
    }
}
