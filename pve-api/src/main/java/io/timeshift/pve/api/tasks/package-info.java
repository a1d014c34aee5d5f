/**
 * PVE tasks: {@link io.timeshift.pve.api.tasks.Upid} (pve-common {@code PVE::UPID} format),
 * {@link io.timeshift.pve.api.tasks.TaskStatus}/{@link io.timeshift.pve.api.tasks.TaskLog}, and
 * {@link io.timeshift.pve.api.tasks.TaskWaiter}, which waits on an injected monotonic clock and
 * treats {@code OK} and {@code WARNINGS: n} as success and anything else as
 * {@link io.timeshift.pve.api.tasks.TaskFailedException} with the log tail. A failed wait never
 * re-dispatches the task.
 */
package io.timeshift.pve.api.tasks;
