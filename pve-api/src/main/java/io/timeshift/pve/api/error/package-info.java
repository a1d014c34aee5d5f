/**
 * The typed failures of the API client and the single classifier that produces them.
 *
 * <table>
 *   <caption>Types, exit codes, retry</caption>
 *   <tr><th>type</th><th>when</th><th>exit</th><th>read retried</th></tr>
 *   <tr><td>PveAuthException</td><td>401</td><td>3</td><td>never</td></tr>
 *   <tr><td>PvePermissionException</td><td>403, root-only option</td><td>3</td><td>never</td></tr>
 *   <tr><td>PveParameterException</td><td>400 with field errors</td><td>2</td><td>never</td></tr>
 *   <tr><td>PveNotFoundException</td><td>config/storage/path missing</td><td>3</td><td>no</td></tr>
 *   <tr><td>PveConflictException</td><td>digest, lock, quorum, not running, agent</td><td>3</td><td>no (poll: agent/lock timeout)</td></tr>
 *   <tr><td>PveServerException</td><td>other 5xx incl. 595/596, HTML pages</td><td>3</td><td>yes, except 501 and pvesh dies</td></tr>
 *   <tr><td>PveConnectionException</td><td>refused, reset, no answer, circuit open</td><td>3</td><td>yes</td></tr>
 *   <tr><td>PveTimeoutException</td><td>connect/response/pvesh/task time limit</td><td>3</td><td>yes</td></tr>
 *   <tr><td>PveTlsException</td><td>untrusted, wrong name, fingerprint mismatch</td><td>3</td><td>never</td></tr>
 *   <tr><td>PveProtocolException</td><td>answer of unexpected shape</td><td>3</td><td>no</td></tr>
 * </table>
 * Writes are re-sent only for transport failures where the request never left this machine.
 * All implement {@link io.timeshift.pve.api.error.PveError}; their messages are one line starting
 * with the operation ({@code "PUT /nodes/pve1/qemu/105/config: ..."}).
 *
 * <p>How to extend: add the upstream message and its source to the list in
 * {@link io.timeshift.pve.api.error.PveErrorClassifier}, a pattern there, and a row with the real
 * string to {@code PveErrorClassifierTest}.
 */
package io.timeshift.pve.api.error;
