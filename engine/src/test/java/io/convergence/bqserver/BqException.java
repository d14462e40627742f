package io.convergence.bqserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A BigQuery API error: the HTTP status, the reason BigQuery puts in {@code errors[].reason}, and its message. */
final class BqException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String reason;

    BqException(int status, String reason, String message) {
        super(requireNonNull(message, "message is null"));
        this.status = status;
        this.reason = requireNonNull(reason, "reason is null");
    }

    static BqException notFound(String what) {
        return new BqException(404, "notFound", "Not found: " + what);
    }

    static BqException duplicate(String what) {
        return new BqException(409, "duplicate", "Already Exists: " + what);
    }

    static BqException invalid(String message) {
        return new BqException(400, "invalid", message);
    }

    static BqException invalidQuery(String message) {
        return new BqException(400, "invalidQuery", message);
    }

    /** The error of a cancelled job. */
    static BqException stopped() {
        return new BqException(400, "stopped", "Job execution was cancelled: User requested cancellation");
    }

    int status() {
        return status;
    }

    String reason() {
        return reason;
    }

    /** One ErrorProto, as in a job's {@code status.errorResult}. */
    ObjectNode errorProto() {
        ObjectNode e = BqTypes.JSON.objectNode();
        e.put("reason", reason);
        e.put("message", getMessage());
        return e;
    }

    /** The whole error response body. */
    ObjectNode toJson() {
        ObjectNode root = BqTypes.JSON.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", status);
        error.put("message", getMessage());
        ObjectNode proto = errorProto();
        proto.put("domain", "global");
        error.putArray("errors").add(proto);
        error.put("status", statusName(status));
        return root;
    }

    /** The HTTP status BigQuery answers with for an error reason. */
    static int statusOf(String reason) {
        switch (reason) {
            case "notFound":
                return 404;
            case "duplicate":
                return 409;
            case "rateLimitExceeded":
                return 403;
            case "backendError":
                return 503;
            case "internalError":
                return 500;
            default:
                return 400;
        }
    }

    private static String statusName(int status) {
        switch (status) {
            case 400:
                return "INVALID_ARGUMENT";
            case 403:
                return "PERMISSION_DENIED";
            case 404:
                return "NOT_FOUND";
            case 409:
                return "ALREADY_EXISTS";
            case 429:
                return "RESOURCE_EXHAUSTED";
            case 503:
                return "UNAVAILABLE";
            default:
                return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
        }
    }
}
