/**
 * {@code plan}: validity windows and the date suggestion. Other time-dependent checks (jar signer
 * and TSA dates of a console's JNLP, a JRE's built-in expiry) would be added as more windows per
 * target in {@link io.timeshift.guest.plan.Planner#plan}.
 */
package io.timeshift.guest.plan;
