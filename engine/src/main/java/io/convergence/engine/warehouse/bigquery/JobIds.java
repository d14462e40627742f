package io.convergence.engine.warehouse.bigquery;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * BigQuery job ids. A job of a step attempt gets {@code cvg_<tenant>_<pipeline>_<run>_<step>[_<partition>]_a<attempt>_j<n>}:
 * the same work always asks for the same id, so an insert retried after a lost answer finds its first job
 * (409 ALREADY_EXISTS) and waits for it instead of starting it again. Ids keep only letters, digits, {@code _} and
 * {@code -} (BigQuery's alphabet); one longer than {@link #MAX_LENGTH} is cut and ends with a hash of the whole.
 */
public final class JobIds {
    /** BigQuery allows 1,024 characters; staying far below keeps ids readable in the console and in logs. */
    public static final int MAX_LENGTH = 200;
    private static final int HASH_CHARS = 16;

    private JobIds() {
    }

    static String forStep(String tenant, String pipeline, String runId, String step, Optional<String> partition, int attempt, int n) {
        StringBuilder id = new StringBuilder("cvg_").append(tenant).append('_').append(pipeline).append('_').append(runId)
                .append('_').append(step);
        partition.ifPresent(p -> id.append('_').append(p));
        id.append("_a").append(attempt).append("_j").append(n);
        return sanitize(id.toString());
    }

    /** An id for work outside a step (doctor, metadata, tools): unique, still stable across retries of one insert. */
    static String adHoc(String purpose) {
        return sanitize("cvg_" + purpose + "_" + UUID.randomUUID().toString().replace("-", ""));
    }

    /** The id of the {@code retry}-th new job of the same work after a job failed for a transient reason (retry >= 2). */
    static String rerun(String jobId, int retry) {
        return sanitize(jobId + "_r" + retry);
    }

    /** Replaces characters BigQuery refuses with {@code _}; shortens with a hash when too long. */
    public static String sanitize(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
            out.append(ok ? c : '_');
        }
        if (out.length() <= MAX_LENGTH) {
            return out.toString();
        }
        String hash = sha256(raw).substring(0, HASH_CHARS);
        return out.substring(0, MAX_LENGTH - HASH_CHARS - 1) + "_" + hash;
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
