package org.pavilion.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.pavilion.queue.Decision;
import org.pavilion.queue.QueueEngine.TimedFact;
import org.pavilion.queue.Thresholds;

/**
 * A store kept in memory, for the service's failure tests only (the database stores have their
 * own tests on H2 and PostgreSQL): it can be told to fail commits, and it refuses any commit
 * whose sequence numbers do not continue the session's log, so a lost or doubled event shows.
 */
final class InMemorySessionStore implements SessionStore {

    private record Session(SessionConfig config, List<LoggedFact> facts, List<HireRequest> hires,
                           boolean[] expired) {
    }

    private final Map<Long, Session> sessions = new HashMap<>();
    private final Map<Long, Thresholds> tasks = new HashMap<>();
    private final AtomicInteger failingCommits = new AtomicInteger();
    private final AtomicInteger commits = new AtomicInteger();
    private long nextId = 1;
    private final java.util.Set<Long> poisoned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile java.util.concurrent.CountDownLatch gate;

    synchronized void addTask(long taskId, Thresholds thresholds) {
        tasks.put(taskId, thresholds);
    }

    /** The next {@code n} commits throw and write nothing. */
    void failNextCommits(int n) {
        failingCommits.set(n);
    }

    /** The next commits fail as under a lock held too long (PostgreSQL's lock_not_available). */
    void timeOutNextCommits(int n) {
        timingOut.set(n);
    }

    private final java.util.concurrent.atomic.AtomicInteger timingOut = new java.util.concurrent.atomic.AtomicInteger();

    /** Commits with an item of this session throw and write nothing (a row the database refuses, say). */
    void poison(long sessionId) {
        poisoned.add(sessionId);
    }

    /** Commits wait for this latch before they run (null: they do not wait). */
    void gate(java.util.concurrent.CountDownLatch latch) {
        gate = latch;
    }

    /** Every call of commit, written or failed. */
    final java.util.concurrent.atomic.AtomicInteger commitAttempts = new java.util.concurrent.atomic.AtomicInteger();

    int commits() {
        return commits.get();
    }

    @Override
    public synchronized SessionConfig openSession(long taskId, Instant at) {
        Thresholds t = tasks.get(taskId);
        if (t == null) {
            throw new IllegalArgumentException("no task " + taskId);
        }
        SessionConfig config = new SessionConfig(nextId++, taskId, t, false, Duration.ofSeconds(30), 725);
        sessions.put(config.sessionId(), new Session(config, new ArrayList<>(), new ArrayList<>(), new boolean[1]));
        return config;
    }

    /** Reads of a session's log, and whether they fail (a database that cannot be read, say). */
    final java.util.concurrent.atomic.AtomicInteger loads = new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean failLoads;

    @Override
    public synchronized Optional<SessionLog> loadSession(long sessionId) {
        loads.incrementAndGet();
        if (failLoads) {
            throw new IllegalStateException("injected storage failure: the log cannot be read");
        }
        Session s = sessions.get(sessionId);
        return s == null ? Optional.empty() : Optional.of(new SessionLog(s.config(), s.expired()[0], s.facts()));
    }

    @Override
    public synchronized List<SessionLog> loadLiveSessions() {
        return sessions.values().stream().filter(s -> !s.expired()[0])
                .map(s -> new SessionLog(s.config(), false, s.facts())).toList();
    }

    @Override
    public void commit(List<CommitItem> items) {
        java.util.concurrent.CountDownLatch latch = gate;
        if (latch != null) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        commitNow(items);
    }

    private synchronized void commitNow(List<CommitItem> items) {
        commitAttempts.incrementAndGet();
        if (timingOut.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("could not write", new java.sql.SQLException(
                    "canceling statement due to lock timeout", "55P03"));
        }
        if (failingCommits.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("injected storage failure");
        }
        if (items.stream().anyMatch(i -> poisoned.contains(i.sessionId()))) {
            throw new IllegalStateException("injected storage failure of a poisoned session");
        }
        Map<Long, Long> next = new HashMap<>();
        for (CommitItem item : items) { // check everything first: all or nothing
            Session s = sessions.get(item.sessionId());
            long expected = next.getOrDefault(item.sessionId(),
                    s.facts().isEmpty() ? 1 : s.facts().get(s.facts().size() - 1).seq() + 1);
            if (item.firstSeq() != expected) {
                throw new IllegalStateException("session " + item.sessionId() + ": seq " + item.firstSeq()
                        + " does not continue the log at " + expected);
            }
            next.put(item.sessionId(), expected + item.facts().size());
        }
        for (CommitItem item : items) {
            Session s = sessions.get(item.sessionId());
            long seq = item.firstSeq();
            for (Decision.Fact fact : item.facts()) {
                s.facts().add(new LoggedFact(seq++, new TimedFact(fact, item.at())));
                if (fact instanceof Decision.Hire h) {
                    s.hires().add(new HireRequest(item.sessionId(), h.number(),
                            HireRequest.tokenFor(instanceId(), item.sessionId(), h.number()),
                            HireRequest.State.REQUESTED, h.workerId(), 0, null, item.at(), item.at()));
                }
                if (fact instanceof Decision.PhaseChange p && p.phase() == Decision.Phase.EXPIRED) {
                    s.expired()[0] = true;
                }
            }
        }
        commits.incrementAndGet();
    }

    @Override
    public synchronized Optional<AssignmentRef> findSessionByAssignment(String assignmentId, String workerId) {
        AssignmentRef found = null;
        for (Session s : sessions.values()) {
            for (LoggedFact f : s.facts()) {
                if (f.fact().fact() instanceof Decision.StatusChange c && assignmentId.equals(c.assignmentId())
                        && (workerId == null || workerId.equals(c.workerId()))) {
                    found = new AssignmentRef(s.config().sessionId(), c.workerId());
                }
            }
        }
        return Optional.ofNullable(found);
    }

    private final Map<String, Long> hits = new HashMap<>();

    @Override
    public synchronized void addSessionHit(long sessionId, String hitTypeId, String hitId) {
        hits.putIfAbsent(hitId, sessionId);
    }

    @Override
    public synchronized Optional<Long> findSessionByHit(String hitId) {
        return Optional.ofNullable(hits.get(hitId));
    }

    @Override
    public synchronized List<HireRequest> hireRequests(long sessionId) {
        return List.copyOf(sessions.get(sessionId).hires());
    }

    @Override
    public String instanceId() {
        return "mem0";
    }
}
