package org.pavilion.admin.live;

import java.util.List;

/**
 * Everything the live session view shows, as served by {@code GET /api/admin/sessions/{id}} and
 * rendered by the page. {@code status} is {@code live}, {@code stopped} or {@code expired}
 * ({@code started} says whether a live session has started). Times are ISO-8601 instants (UTC);
 * pay is computed on the server (SPEC §4.9: waiting time × the session's waiting rate, rounded to
 * the cent). {@code events} are the newest {@value SessionViews#TIMELINE_ROWS} rows of the log,
 * newest first; {@code eventCount} counts them all. {@code hiring} is the hire budget (SPEC §4.2).
 */
public record SessionView(long id, long taskId, String taskTitle, String status, boolean started, boolean stopped,
                          boolean expired, String openedAt, String startedAt, String stoppedAt, String endedAt,
                          String hitTypeId, String hitId, Settings settings, Counters counters, Hiring hiring,
                          List<WorkerRow> waiting, List<WorkerRow> active, List<WorkerRow> workers,
                          List<HireView> hireRequests, List<EventView> events, int eventCount,
                          List<Point> series, String serverTime, Marketplace marketplace, String name) {

    /** When it opened, for the page (not part of the JSON). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public java.time.Instant openedInstant() {
        return openedAt == null ? null : java.time.Instant.parse(openedAt);
    }

    /** The server's time of the view, for the page (not part of the JSON). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public java.time.Instant serverInstant() {
        return serverTime == null ? null : java.time.Instant.parse(serverTime);
    }

    /**
     * The session's side effects on the marketplace (issue 13 item 1). {@code goLive}: the go-live's state
     * (POSTING, CANCELLING, DONE, FAILED; null for a session opened otherwise) and {@code goLiveError} its
     * last error. {@code hitsToExpire}: HITs of the ended session the marketplace has not yet confirmed
     * expired (retried until it does), {@code hitsExpired} those it has; {@code expiryNotice} says
     * "N HITs not yet expired: last error" while one has failed (null otherwise). {@code localHitsGone}: a
     * live session whose HITs were on the local marketplace of an earlier run of Pavilion (kept in memory
     * only, so gone since the restart: no worker can join); {@code localHitsGoneNotice} says so (null
     * otherwise). {@code mode}: the marketplace the session went live on (local, sandbox, production), said in
     * words by {@code modeText}; {@code previewUrl}: where a worker sees its HIT before accepting (null until
     * the marketplace reported the HIT's group).
     */
    public record Marketplace(String goLive, String goLiveError, int hitsToExpire, int hitsExpired,
                              String expiryNotice, boolean localHitsGone, String localHitsGoneNotice, String mode,
                              String modeText, String previewUrl) {
    }

    /** The session's thresholds and waiting pay rate (copied from its task when it went live). */
    public record Settings(int minActive, int minWaiting, int maxActive, int maxWaiting, int capacity,
                           int waitingPayCentsPerHour) {
    }

    /**
     * Queue sizes and hire requests. Now, by state: {@code hiresRequested} are written but not yet sent,
     * {@code hiresSent} are being sent (or retried), {@code hiresDone} made a HIT, {@code hiresFailed}
     * were refused for good. Totals over the session so far: {@code hiresTotal} requested,
     * {@code hiresSentSoFar} sent to the marketplace at least once (done, failed, or being sent after an
     * attempt), done and failed as above; {@code inQueues} workers waiting or active now, of {@code capacity}.
     */
    public record Counters(int waiting, int active, int capacity, int maxActive, int maxWaiting, int hiresTotal,
                           int hiresRequested, int hiresSent, int hiresDone, int hiresFailed, int hiresSentSoFar,
                           int inQueues) {
    }

    /**
     * A worker of the session. {@code waitingSince} is set while the worker is in an open waiting
     * period; {@code waitedSeconds} and {@code payCents} count every waiting period up to now
     * ({@code waited} and {@code pay} are the same as text: {@code 1:05}, {@code $0.13}).
     */
    public record WorkerRow(String worker, String assignmentId, String status, String waitingSince,
                            long waitedSeconds, long waitedMillis, String waited, long payCents, String pay,
                            boolean ready) {

        @com.fasterxml.jackson.annotation.JsonIgnore
        public java.time.Instant waitingSinceInstant() {
            return waitingSince == null ? null : java.time.Instant.parse(waitingSince);
        }
    }

    /**
     * The session's hire budget (SPEC §4.2): {@code hiresMade} of {@code budget} (null: none, a session
     * opened before budgets existed); {@code withheld} hires the rules called for that the budget did not
     * allow. {@code paused}: a session that is still hiring (live, not stopped) has withheld hires; raising
     * the budget makes them at once. {@code summary} and {@code notice} (null unless paused) say it in words.
     */
    public record Hiring(int hiresMade, Integer budget, int withheld, boolean usedUp, boolean paused,
                         String summary, String notice) {
    }

    public record HireView(int number, String state, String causeWorker, int attempts, String lastError, String hitId,
                           String requestedAt, String updatedAt) {

        @com.fasterxml.jackson.annotation.JsonIgnore
        public java.time.Instant updatedInstant() {
            return updatedAt == null ? null : java.time.Instant.parse(updatedAt);
        }
    }

    /**
     * One row of the event log; {@code summary} says it in words. {@code hireNumber} is the hire's number
     * for {@code hire}, the budget for {@code withheld} and {@code budget}; {@code hitId} is set for
     * {@code confirm}.
     */
    public record EventView(long seq, String at, String kind, String worker, String assignmentId, String from,
                            String to, String cause, String phase, Integer hireNumber, String actor, String detail,
                            String hitId, String summary) {

        @com.fasterxml.jackson.annotation.JsonIgnore
        public java.time.Instant atInstant() {
            return at == null ? null : java.time.Instant.parse(at);
        }
    }

    /** Queue sizes after the events of one moment of the log (the chart). */
    public record Point(String at, long t, int waiting, int active) {
    }
}
