package org.pavilion.marketplace.local;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Planned failures of the local MTurk API, so that retries, backoff, UniqueRequestTokens and the
 * account of a refusal can be tested against real HTTP: the next {@code times} calls of an operation (or of any, {@code "*"})
 * fail as planned.
 */
public class FaultInjector {

    public enum Fault {
        /** HTTP 400 {@code com.amazonaws.mturk#ServiceFault} (MTurk's retryable error). */
        SERVICE_FAULT,
        /** HTTP 400 {@code ThrottlingException} "Rate exceeded". */
        THROTTLING,
        /** HTTP 500 {@code InternalFailure}. */
        HTTP_500,
        /** HTTP 503 {@code ServiceUnavailable}. */
        HTTP_503,
        /** The operation is carried out, but the answer is HTTP 503: the client cannot know it succeeded. */
        LOST_RESPONSE,
        /**
         * HTTP 400 {@code RequestError} with TurkErrorCode {@code AWS.MechanicalTurk.InvalidParameterValue},
         * refusing the Keywords: a permanent refusal of a value, as MTurk answers one it does not accept (so the
         * Go live page's account of a refusal can be tested with a value Pavilion's own rules let through).
         */
        INVALID_PARAMETER
    }

    private final Map<String, Deque<Fault>> planned = new HashMap<>();

    /** The next {@code times} calls of {@code operation} ({@code "*"}: any) fail with {@code fault}. */
    public synchronized void failNext(String operation, int times, Fault fault) {
        Deque<Fault> queue = planned.computeIfAbsent(operation, k -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            queue.add(fault);
        }
    }

    public synchronized void clear() {
        planned.clear();
    }

    /** The fault planned for this call of {@code operation}, if any (consumed). */
    synchronized Optional<Fault> next(String operation) {
        Deque<Fault> queue = planned.get(operation);
        if (queue == null || queue.isEmpty()) {
            queue = planned.get("*");
        }
        return queue == null ? Optional.empty() : Optional.ofNullable(queue.poll());
    }
}
