package org.pavilion.marketplace.mturk;

import java.util.Locale;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns MTurk's error answers into {@link MTurkException}s and decides which may be retried.
 *
 * <ul>
 *   <li>{@code ServiceFault}, {@code ThrottlingException} (and the other AWS throttling types), HTTP 429
 *       and 5xx: retryable;</li>
 *   <li>HTTP 401/403 and the AWS authentication errors ({@code UnrecognizedClientException},
 *       {@code InvalidSignatureException}, ...): permanent, {@link MTurkException#AUTHENTICATION_FAILED};</li>
 *   <li>{@code RequestError} and anything else: permanent, with MTurk's message.</li>
 * </ul>
 */
public final class MTurkErrors {

    public static final String SERVICE_FAULT = "ServiceFault";
    public static final String REQUEST_ERROR = "RequestError";
    public static final String THROTTLING = "ThrottlingException";

    static final Set<String> THROTTLING_TYPES = Set.of("ThrottlingException", "Throttling", "ThrottledException",
            "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
            "SlowDown", "PriorRequestNotComplete", "BandwidthLimitExceeded");

    static final Set<String> AUTH_TYPES = Set.of("UnrecognizedClientException", "InvalidSignatureException",
            "IncompleteSignatureException", "MissingAuthenticationTokenException", "InvalidClientTokenId",
            "SignatureDoesNotMatch", "AccessDeniedException", "ExpiredTokenException", "ExpiredToken",
            "AuthFailure", "AuthorizationError", "NotAuthorized", "RequestExpired", "InvalidAccessKeyId");

    private MTurkErrors() {
    }

    /** The bare type name: {@code com.amazonaws.mturk#ServiceFault} → {@code ServiceFault}; {@code X:http://...} → {@code X}. */
    public static String bareType(String type) {
        if (type == null || type.isBlank()) {
            return null;
        }
        String t = type.trim();
        int hash = t.lastIndexOf('#');
        if (hash >= 0) {
            t = t.substring(hash + 1);
        }
        int colon = t.indexOf(':');
        if (colon >= 0) {
            t = t.substring(0, colon);
        }
        return t.isEmpty() ? null : t;
    }

    /**
     * @param operation  the operation called, for the message
     * @param status     the HTTP status (not 2xx)
     * @param headerType the {@code x-amzn-ErrorType} header, if any
     * @param requestId  the {@code x-amzn-RequestId} header, if any
     * @param body       the answer's body (JSON, or anything)
     */
    public static MTurkException fromResponse(String operation, int status, String headerType, String requestId,
                                              String body, JsonMapper mapper) {
        String type = null;
        String message = null;
        String turkCode = null;
        if (body != null && !body.isBlank()) {
            try {
                JsonNode node = mapper.readTree(body);
                if (node != null && node.isObject()) {
                    type = text(node, "__type");
                    if (type == null) {
                        type = text(node, "code");
                    }
                    message = text(node, "Message");
                    if (message == null) {
                        message = text(node, "message");
                    }
                    turkCode = text(node, "TurkErrorCode");
                }
            } catch (RuntimeException notJson) {
                message = abbreviate(body.strip(), 300);
            }
        }
        if (type == null) {
            type = headerType;
        }
        type = bareType(type);
        String detail = (type != null ? type : "HTTP " + status) + (message != null ? ": " + message : "")
                + (turkCode != null ? " [" + turkCode + "]" : "")
                + (requestId != null ? " (request " + requestId + ")" : "");

        if (status == 401 || status == 403 || (type != null && AUTH_TYPES.contains(type))) {
            return new MTurkException(MTurkException.AUTHENTICATION_FAILED,
                    "MTurk " + operation + ": authentication failed: check the credentials (" + detail + ")",
                    false, status, turkCode, requestId, null);
        }
        boolean throttled = status == 429 || (type != null && (THROTTLING_TYPES.contains(type)
                || type.toLowerCase(Locale.ROOT).contains("throttl")));
        if (throttled) {
            return new MTurkException(type != null ? type : THROTTLING, "MTurk " + operation + " throttled: " + detail,
                    true, status, turkCode, requestId, null);
        }
        if (SERVICE_FAULT.equals(type) || status >= 500) {
            return new MTurkException(type != null ? type : "HTTP" + status,
                    "MTurk " + operation + " failed on MTurk's side: " + detail, true, status, turkCode, requestId, null);
        }
        if (REQUEST_ERROR.equals(type)) {
            return new MTurkException(REQUEST_ERROR, "MTurk " + operation + " refused: "
                    + (message != null ? message : detail) + (turkCode != null ? " [" + turkCode + "]" : ""),
                    false, status, turkCode, requestId, null);
        }
        return new MTurkException(type != null ? type : "HTTP" + status, "MTurk " + operation + " failed: " + detail,
                false, status, turkCode, requestId, null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        String s = value.isString() ? value.stringValue() : value.toString();
        return s == null || s.isBlank() ? null : s;
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
