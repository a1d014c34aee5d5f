package io.timeshift.pve.api.error;

import io.timeshift.common.error.InvalidInputException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP 400 {@code Parameter verification failed.} with PVE's per-field messages
 * ({@code {"errors":{"startdate":"value does not match the regex pattern"}}}). Exit 2: the value we
 * sent is wrong, and the message names each field.
 */
public class PveParameterException extends InvalidInputException implements PveError {
    private final PveFailure failure;
    private final Map<String, String> fieldErrors;

    public PveParameterException(String operation, int status, String pveMessage, Map<String, String> fieldErrors) {
        super(ErrorText.prefix(operation) + ErrorText.firstLine(pveMessage) + describe(fieldErrors));
        this.failure = PveFailure.answered(operation, status, pveMessage);
        this.fieldErrors = Collections.unmodifiableMap(new LinkedHashMap<>(new TreeMap<>(fieldErrors)));
    }

    private static String describe(Map<String, String> errors) {
        if (errors.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(errors).forEach((k, v) -> sb.append(sb.length() == 0 ? " " : "; ")
                .append(k).append(": ").append(ErrorText.firstLine(v)));
        return sb.toString();
    }

    /** Field name to PVE's message for it, sorted by field; empty when PVE sent none. */
    public Map<String, String> fieldErrors() {
        return fieldErrors;
    }

    @Override
    public PveFailure failure() {
        return failure;
    }
}
