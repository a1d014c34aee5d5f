/**
 * The admin commands' services (enable, disable, plan, verify, doctor, isolate): what each changes on this node and
 * in the VM, returning an exit code; the CLI in {@code cli} parses and calls them.
 */
package io.timeshift.host.admin;
