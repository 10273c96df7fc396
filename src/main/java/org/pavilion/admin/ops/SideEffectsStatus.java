package org.pavilion.admin.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.pavilion.storage.SqlSupport;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the operator sees of the marketplace side effects other than hires (issue 13 item 1: the go-live
 * outbox and the HIT-expiry outbox, {@code org.pavilion.marketplace.SideEffectOutbox}), across all sessions:
 * counts for the metrics, and the problems for the dashboard. Read-only; the outbox is their only writer.
 *
 * <ul>
 * <li>A HIT expiry is <b>pending</b> until the marketplace confirms it, and <b>failing</b> while pending after a
 *     failed attempt (it is retried, with backoff, for as long as it takes: a live HIT must not be forgotten,
 *     and meanwhile workers may still find and accept it).</li>
 * <li>A go-live is <b>pending</b> while POSTING or CANCELLING (a failed go-live whose HIT may exist all the same
 *     is looked for), <b>failing</b> while pending after a failed attempt, and <b>failed</b> when it ended
 *     without a HIT (FAILED).</li>
 * </ul>
 */
@Component
public class SideEffectsStatus {

    /** A FAILED go-live stays on the dashboard this long after it failed. */
    static final Duration RECENT_FAILURES = Duration.ofHours(24);

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public SideEffectsStatus(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Counts of one moment. {@code oldest...} is the time the oldest pending one was asked for (null when none
     * is pending).
     */
    public record Counts(long expiriesPending, long expiriesFailing, Instant oldestExpiryPending,
                         long goLivesPending, long goLivesFailing, long goLivesFailed, Instant oldestGoLivePending) {
    }

    /** One session's failing HIT expiries: how many HITs, the most attempts, the latest error, since when. */
    public record ExpiryProblem(long sessionId, int hits, int attempts, String lastError, Instant since,
                                Instant lastTriedAt) {
    }

    /** A go-live retrying after a failure (POSTING, CANCELLING) or that failed recently (FAILED). */
    public record GoLiveProblem(long sessionId, long taskId, String state, int attempts, String lastError,
                                Instant requestedAt, Instant updatedAt) {
    }

    /** The problems an admin should see now (empty lists when all is well). */
    public record Problems(List<ExpiryProblem> expiries, List<GoLiveProblem> goLives) {
        public boolean any() {
            return !expiries.isEmpty() || !goLives.isEmpty();
        }
    }

    public Counts counts() {
        long[] expiry = new long[2];
        Instant[] oldest = new Instant[2];
        jdbc.query("select count(*) as pending, coalesce(sum(case when last_error is null then 0 else 1 end), 0) "
                + "as failing, min(requested_at) as oldest from hit_expiry where state = 'PENDING'", rs -> {
                    expiry[0] = rs.getLong("pending");
                    expiry[1] = rs.getLong("failing");
                    oldest[0] = SqlSupport.get(rs, "oldest");
                });
        long[] goLive = new long[3];
        jdbc.query("select state, count(*) as n, coalesce(sum(case when last_error is null then 0 else 1 end), 0) "
                + "as failing, min(requested_at) as oldest from go_live where state in ('POSTING', 'CANCELLING', "
                + "'FAILED') group by state", rs -> {
                    if ("FAILED".equals(rs.getString("state"))) {
                        goLive[2] += rs.getLong("n");
                        return;
                    }
                    goLive[0] += rs.getLong("n");
                    goLive[1] += rs.getLong("failing");
                    Instant at = SqlSupport.get(rs, "oldest");
                    if (at != null && (oldest[1] == null || at.isBefore(oldest[1]))) {
                        oldest[1] = at;
                    }
                });
        return new Counts(expiry[0], expiry[1], oldest[0], goLive[0], goLive[1], goLive[2], oldest[1]);
    }

    public Problems problems() {
        List<ExpiryProblem> expiries = new ArrayList<>();
        // per session: its failing HITs, and the newest error among them
        jdbc.query("select e.session_id, count(*) as hits, max(e.attempts) as attempts, min(e.requested_at) as since, "
                + "max(e.updated_at) as tried, (select x.last_error from hit_expiry x where x.session_id = e.session_id "
                + "and x.state = 'PENDING' and x.last_error is not null order by x.updated_at desc, x.hit_id "
                + "fetch first 1 rows only) as last_error from hit_expiry e where e.state = 'PENDING' "
                + "and e.last_error is not null group by e.session_id order by e.session_id", rs -> {
                    expiries.add(new ExpiryProblem(rs.getLong("session_id"), rs.getInt("hits"), rs.getInt("attempts"),
                            rs.getString("last_error"), SqlSupport.get(rs, "since"), SqlSupport.get(rs, "tried")));
                });
        List<GoLiveProblem> goLives = new ArrayList<>();
        jdbc.query("select session_id, task_id, state, attempts, last_error, requested_at, updated_at from go_live "
                + "where (state in ('POSTING', 'CANCELLING') and last_error is not null) "
                + "or (state = 'FAILED' and updated_at >= ?) order by session_id", rs -> {
                    goLives.add(new GoLiveProblem(rs.getLong("session_id"), rs.getLong("task_id"),
                            rs.getString("state"), rs.getInt("attempts"), rs.getString("last_error"),
                            SqlSupport.get(rs, "requested_at"), SqlSupport.get(rs, "updated_at")));
                }, SqlSupport.toSql(clock.instant().minus(RECENT_FAILURES)));
        return new Problems(expiries, goLives);
    }
}
