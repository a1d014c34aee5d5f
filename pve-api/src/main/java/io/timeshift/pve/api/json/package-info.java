/**
 * PVE's loose JSON, handled in one place: {@link io.timeshift.pve.api.json.PveJson} (the one
 * configured {@code ObjectMapper}, the envelope, 0/1 booleans, numbers as strings, list strings;
 * the "wire conventions" list is in its class comment) and
 * {@link io.timeshift.pve.api.json.PveErrorBody} (message and field errors of a failed answer,
 * including reason-phrase-only proxy errors and HTML pages).
 *
 * <p>How to extend: when PVE sends a new loose form, teach the helper here and add a test row to
 * {@code PveJsonTest}; records never interpret raw JSON themselves.
 */
package io.timeshift.pve.api.json;
