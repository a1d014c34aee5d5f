/**
 * The admin commands' services (enable, disable, plan, verify, doctor, isolate): what each would change on this
 * node and in the VM (a typed preview), the change itself (a typed result) and the checks (typed reports, one
 * {@link io.timeshift.host.admin.DoctorCheck} class per doctor check). They write to no stream: {@code cli} parses
 * argv, asks for confirmation between preview and change, and renders every value as text or JSON.
 */
package io.timeshift.host.admin;
