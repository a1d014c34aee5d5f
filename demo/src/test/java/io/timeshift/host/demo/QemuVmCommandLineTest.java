package io.timeshift.host.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How QemuVm turns a VM config into a QEMU command line (no QEMU needed). */
class QemuVmCommandLineTest {
    @TempDir
    Path tmp;

    private List<String> cmd(String conf, QemuVm.Options o) throws IOException {
        Path f = Files.writeString(tmp.resolve("100.conf"), conf);
        return QemuVm.commandLine(QemuVm.readMainSection(f), 100, Path.of("/run/x"), GuestImage.at(Path.of("/g")), o);
    }

    private static String after(List<String> cmd, String opt) {
        int i = cmd.indexOf(opt);
        return i < 0 || i + 1 >= cmd.size() ? null : cmd.get(i + 1);
    }

    @Test
    void startdateAgentAndArgsLast() throws IOException {
        List<String> c = cmd("agent: 1\nstartdate: 2021-03-01T12:00:00\nargs: -rtc base=2020-01-01,clock=vm\n"
                + "[snap1]\nstartdate: 1999-01-01\n", QemuVm.Options.defaults().withKernelCmdline("qga_off"));
        assertEquals("base=2021-03-01T12:00:00", after(c, "-rtc"));
        assertEquals(List.of("-rtc", "base=2020-01-01,clock=vm"), c.subList(c.size() - 2, c.size()));
        assertEquals("socket,path=/run/x/100.qga,server=on,wait=off,id=qga0", after(c, "-chardev"));
        assertTrue(String.join(" ", c).contains(
                "-device virtio-serial -device virtserialport,chardev=qga0,name=org.qemu.guest_agent.0"));
        assertEquals("unix:/run/x/100.qmp,server=on,wait=off", after(c, "-qmp"));
        assertEquals("file:/run/x/100.console.log", after(c, "-serial"));
        assertEquals("console=ttyS0 panic=-1 quiet qga_off", after(c, "-append"));
        assertEquals("/g/vmlinux", after(c, "-kernel"));
        assertEquals("/g/initramfs.cpio.gz", after(c, "-initrd"));
        assertEquals("256", after(c, "-m"));
        assertFalse(c.contains("-S"));
        assertEquals(2, Collections.frequency(c, "-rtc"), "ours, then the one from args");
    }

    @Test
    void noStartdateNoRtcNoAgent() throws IOException {
        List<String> c = cmd("memory: 128\nstartdate: now\nagent: enabled=0\n",
                QemuVm.Options.defaults().withStartPaused(true));
        assertFalse(c.contains("-rtc"), c.toString());
        assertFalse(c.contains("-chardev"), c.toString());
        assertEquals("128", after(c, "-m"));
        assertTrue(c.contains("-S"));
    }

    @Test
    void diskBootUsesTheGivenKernelInitrdAndVirtioRootWithARaisedMemoryCap() throws IOException {
        List<String> c = cmd("memory: 2048\nagent: 1\n", QemuVm.Options.defaults().withMaxMemoryMb(1024)
                .withDiskBoot(Path.of("/j/vmlinux"), Path.of("/j/initrd.img"), Path.of("/t/100.qcow2")).withKernelCmdline("x=1"));
        assertEquals("/j/vmlinux", after(c, "-kernel"));
        assertEquals("/j/initrd.img", after(c, "-initrd"));
        assertEquals("file=/t/100.qcow2,if=none,id=drive-virtio0,format=qcow2,cache=unsafe,discard=ignore", after(c, "-drive"));
        assertEquals("virtio-blk-pci,drive=drive-virtio0", after(c, "-device"));
        assertEquals("console=ttyS0 panic=-1 quiet root=/dev/vda rw x=1", after(c, "-append"));
        assertEquals("1024", after(c, "-m"));
        List<String> raw = cmd("\n", QemuVm.Options.defaults()
                .withDiskBoot(Path.of("/j/vmlinux"), Path.of("/j/initrd.img"), Path.of("/j/disk.raw")));
        assertTrue(after(raw, "-drive").contains(",format=raw,"), raw.toString());
        assertEquals("256", after(raw, "-m"));
    }

    @Test
    void localtimeAndTdf() throws IOException {
        assertEquals("driftfix=slew,base=localtime", after(cmd("localtime: 1\ntdf: 1\n", QemuVm.Options.defaults()), "-rtc"));
        assertEquals("base=2021-03-01", after(cmd("localtime: 1\nstartdate: 2021-03-01\n", QemuVm.Options.defaults()), "-rtc"));
    }
    @Test
    void aWindowsOstypeGetsProxmoxsDefaultsLocaltimeAndDriftfix() throws IOException {
        assertEquals("driftfix=slew,base=localtime", after(cmd("ostype: win11\n", QemuVm.Options.defaults()), "-rtc"));
        assertEquals("driftfix=slew,base=2021-03-01T17:00:00",
                after(cmd("ostype: win10\nstartdate: 2021-03-01T17:00:00\n", QemuVm.Options.defaults()), "-rtc"),
                "with a startdate, no base=localtime (Timer.pm:30-34)");
        assertEquals("base=localtime", after(cmd("ostype: w2k8\nacpi: 0\n", QemuVm.Options.defaults()), "-rtc"));
        assertEquals("driftfix=slew", after(cmd("ostype: win7\nlocaltime: 0\n", QemuVm.Options.defaults()), "-rtc"));
        assertFalse(cmd("ostype: win7\nlocaltime: 0\ntdf: 0\n", QemuVm.Options.defaults()).contains("-rtc"));
        assertFalse(cmd("ostype: l26\n", QemuVm.Options.defaults()).contains("-rtc"));
    }


    @Test
    void agentProperty() {
        assertTrue(QemuVm.agentEnabled("1"));
        assertTrue(QemuVm.agentEnabled("enabled=1,fstrim_cloned_disks=1"));
        assertTrue(QemuVm.agentEnabled("1,type=virtio"));
        assertFalse(QemuVm.agentEnabled("0"));
        assertFalse(QemuVm.agentEnabled("enabled=0"));
        assertFalse(QemuVm.agentEnabled(null));
        assertEquals(256, QemuVm.memoryMb("current=2048"));
        assertEquals(192, QemuVm.memoryMb("192"));
    }

    @Test
    void splitArgsLikeShellwords() {
        assertEquals(List.of("-rtc", "base=2021-03-01,clock=vm", "-name", "a b", "x\"y", "c d"),
                QemuVm.splitArgs("  -rtc base=2021-03-01,clock=vm -name 'a b' \"x\\\"y\" c\\ d "));
        assertEquals(List.of(), QemuVm.splitArgs("   "));
        assertEquals(Map.of("enabled", "1", "type", "virtio"), QemuVm.propertyString("1,type=virtio", "enabled"));
    }
}
