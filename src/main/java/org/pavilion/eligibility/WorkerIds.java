package org.pavilion.eligibility;

import java.util.regex.Pattern;

/** MTurk's worker ids: an EntityId, upper-case letters and digits, 1 to 64 characters. */
public final class WorkerIds {

    private static final Pattern MTURK_WORKER_ID = Pattern.compile("[A-Z0-9]{1,64}");

    private WorkerIds() {
    }

    public static boolean valid(String id) {
        return id != null && MTURK_WORKER_ID.matcher(id).matches();
    }
}
