package io.timeshift.host.e2e;

import io.timeshift.host.demo.GuestImage;
import io.timeshift.common.error.EnvironmentException;
import org.junit.jupiter.api.Assumptions;

/**
 * The real-VM tests' access to {@link GuestImage}: when the guest cannot be had (no QEMU, build
 * failure) the test is skipped on a developer machine and FAILS under {@code CI=true}, where the VM
 * tests are mandatory.
 */
public final class TestGuest {
    private TestGuest() {
    }

    public static GuestImage require() {
        try {
            return GuestImage.locate();
        } catch (EnvironmentException e) {
            unavailable(e.getMessage());
            throw new AssertionError("unreachable");
        }
    }

    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static void unavailable(String reason) {
        String msg = "real-VM test environment unavailable: " + reason;
        if (underCi()) {
            throw new AssertionError(msg + " (CI=true: VM tests are mandatory; run tools/install-prereqs)");
        }
        Assumptions.abort(msg);
    }
}
