package org.pavilion.realtime;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;

import io.socket.socketio.server.SocketIoNamespace;
import io.socket.socketio.server.SocketIoSocket;
import org.json.JSONObject;
import org.pavilion.pay.BonusLedger;
import org.pavilion.queue.PayRules;
import org.pavilion.queue.Message;
import org.pavilion.queue.Outcome;
import org.pavilion.queue.PavilionException;
import org.pavilion.queue.QueueEvent;
import org.pavilion.queue.Queues;
import org.pavilion.queue.QueueEvent.Departure;
import org.pavilion.queue.WorkerStatus;
import org.pavilion.realtime.Connections.AdminBinding;
import org.pavilion.realtime.Connections.Binding;
import org.pavilion.realtime.Connections.WorkerBinding;
import org.pavilion.realtime.Connections.WorkerKey;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.SessionConfig;
import org.pavilion.session.SessionStore;
import org.pavilion.tasklogic.TaskContext;
import org.pavilion.tasklogic.TaskLogic;
import org.pavilion.tasklogic.TaskRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /chat} namespace: the client→server events of SPEC §5, checked and turned into
 * queue events for the live session service. A connection acts only for the worker it is bound
 * to; admin events need an admin token; anything malformed, unknown or not allowed gets an
 * {@code error} event back to that connection and changes nothing.
 */
public final class ChatProtocol {

    private static final Logger log = LoggerFactory.getLogger(ChatProtocol.class);

    static final String ERROR = "error";
    private static final int MAX_CLIENT_NUMBER_TEXT = 64;

    private final SocketIoNamespace namespace;
    private final LiveSessionService sessions;
    private final SessionStore store;
    private final SignedTokens tokens;
    private final Outbound outbound;
    private final Map<String, TaskLogic> taskEvents;
    private final DisconnectGrace grace;
    private final Clock clock;
    private final Connections connections;
    private final BonusLedger bonuses;
    private final Admission admission;
    /** How a connection ends when its transport is lost without a word from the page (engine.io's reasons). */
    private static final Set<String> ABRUPT_ENDS = Set.of("transport close", "transport error", "ping timeout");

    /** The longest a socket thread waits for a session's writer. */
    static final Duration SOCKET_WAIT = Duration.ofSeconds(2);

    private final EventLimits eventLimits;
    private final ProtocolRefusals refusals;
    private final TaskDataWriter taskData;

    private final List<TaskLogic> taskLogic;

    ChatProtocol(SocketIoNamespace namespace, LiveSessionService sessions, SessionStore store,
                 SignedTokens tokens, Outbound outbound, Connections connections, Admission admission,
                 BonusLedger bonuses, List<TaskLogic> taskLogic, DisconnectGrace grace, Clock clock,
                 EventLimits eventLimits, ProtocolRefusals refusals, TaskDataWriter taskData) {
        this.taskData = taskData;
        this.eventLimits = eventLimits;
        this.refusals = refusals;
        this.connections = connections;
        this.admission = admission;
        this.bonuses = bonuses;
        this.namespace = namespace;
        this.sessions = sessions;
        this.store = store;
        this.tokens = tokens;
        this.outbound = outbound;
        this.grace = grace;
        this.clock = clock;
        this.taskEvents = new ConcurrentHashMap<>();
        for (TaskLogic logic : taskLogic) {
            for (String event : logic.events()) {
                if (SPEC_EVENTS.contains(event) || taskEvents.putIfAbsent(event, logic) != null) {
                    throw new IllegalStateException("task logic event '" + event + "' is taken");
                }
            }
        }
        this.taskLogic = List.copyOf(taskLogic);
        sessions.whenEndedSessionSleeps(this::forgetSession);
    }

    /** An ended session went idle: what the channel and the task logic keep of it leaves memory. */
    private void forgetSession(long sessionId) {
        connections.forgetSession(sessionId);
        grace.forgetSession(sessionId);
        for (TaskLogic logic : taskLogic) {
            logic.sessionEnded(sessionId);
        }
    }

    private static final List<String> SPEC_EVENTS = List.of("connected", "isJobFull", "IAmReady", "submit_waiting",
            "submit_active", "stop_this_job", "expireHIT", "pay_status", ERROR, "connect", "disconnect");

    /** Starts answering connections on the namespace. */
    public void start() {
        namespace.on("connection", args -> onConnection((SocketIoSocket) args[0]));
    }

    // ---- connection ------------------------------------------------------------------------

    private void onConnection(SocketIoSocket socket) {
        if (!eventLimits.admitSocket(socket)) {
            return; // over the connection's event rate, or a second /chat socket on it: EventLimits answered
        }
        WorkerIdentity presented = null;
        try {
            String token = handshakeValue(socket, "token");
            if (token != null) {
                presented = tokens.verifyWorker(token).orElseThrow(() -> new ProtocolException("invalid_token",
                        "the page's token is not valid (forged, expired, or from another server)"));
            }
            String adminToken = handshakeValue(socket, "adminToken");
            if (adminToken != null) {
                bindAdmin(socket, adminToken);
            }
        } catch (PavilionException e) {
            error(socket, e.code(), e.getMessage(), "connect");
            outbound.onConnection(socket, () -> socket.disconnect(false)); // a DISCONNECT packet: every client version hears it at once
            return;
        }
        WorkerIdentity identity = presented;
        socket.registerAllEventListener((event, args) -> onEvent(socket, identity, event, args));
        socket.on("disconnect", args -> onDisconnect(socket, args.length > 0 ? String.valueOf(args[0]) : ""));
    }

    private void bindAdmin(SocketIoSocket socket, String adminToken) {
        String admin = tokens.verifyAdmin(adminToken).orElseThrow(() -> new ProtocolException("invalid_token",
                "the admin token is not valid"));
        String session = handshakeValue(socket, "session");
        long sessionId;
        try {
            sessionId = Long.parseLong(session == null ? "" : session);
        } catch (NumberFormatException e) {
            throw new ProtocolException("invalid_payload", "an admin connection must name the session it watches");
        }
        sessions.config(sessionId); // throws for an unknown or ended session
        connections.bindAdmin(socket.getId(), new AdminBinding(admin, sessionId));
        outbound.rooms(() -> socket.joinRoom(Rooms.session(sessionId)));
    }

    /** A handshake value: Socket.IO 4 clients send {@code auth}, 2.x clients only the query string. */
    private static String handshakeValue(SocketIoSocket socket, String key) {
        Object auth = socket.getConnectData();
        if (auth instanceof JSONObject json && json.opt(key) instanceof String s && !s.isBlank()) {
            return s;
        }
        Map<String, String> query = socket.getInitialQuery();
        String value = query == null ? null : query.get(key);
        return value == null || value.isBlank() ? null : value;
    }

    // ---- events ------------------------------------------------------------------------------

    private void onEvent(SocketIoSocket socket, WorkerIdentity presented, String event, Object[] args) {
        Ack ack = Ack.from(socket, args, outbound);
        if (!eventLimits.admit(socket, event, ack)) {
            return; // over the connection's event rate: EventLimits answered (at most once a second)
        }
        try {
            switch (event) {
                case "connected" -> join(socket, presented, Payload.of(event, args));
                case "isJobFull" -> isJobFull(socket, presented, Payload.of(event, args));
                case "IAmReady" -> asWorker(socket, presented, event, Payload.of(event, args), ack,
                        (bound, p) -> ready(socket, bound, p, ack));
                case "submit_waiting", "submit_active" -> asWorker(socket, presented, event,
                        Payload.of(event, args), ack, (bound, p) -> submit(socket, event, bound, p, ack));
                case "stop_this_job" -> stopJob(socket, Payload.of(event, args));
                case "expireHIT" -> expire(socket, Payload.of(event, args));
                case "pay_status" -> payStatus(socket, Payload.of(event, args));
                default -> taskEvent(socket, event, args, ack);
            }
        } catch (RuntimeException e) {
            failed(socket, event, e, ack);
        }
    }

    /** Tells the page (and its ack) why its event failed; logs only what no rule explains. */
    private void failed(SocketIoSocket socket, String event, Throwable failure, Ack ack) {
        ProtocolMessages.Failure why = ProtocolMessages.failure(failure);
        if (why.unexpected()) {
            log.warn("event {} from connection {} failed", event, socket.getId(), failure);
        }
        error(socket, why.code(), why.message(), event);
        ack.refused(why.code(), why.message());
    }

    private void join(SocketIoSocket socket, WorkerIdentity presented, Payload p) {
        String workerId = p.id("workerId");
        String assignmentId = p.id("aid");
        String hitId = p.optionalId("hit_id");
        // A reconnecting worker's grace timer finds it bound again once admitted, and does nothing.
        admission.claim(socket, presented, workerId, assignmentId, hitId);
    }

    private void isJobFull(SocketIoSocket socket, WorkerIdentity presented, Payload p) {
        String workerId = p.optionalId("workerId");
        Binding current = connections.of(socket.getId());
        long sessionId;
        if (current instanceof WorkerBinding bound) {
            if (workerId != null && !bound.workerId().equals(workerId)) {
                throw notYours(bound);
            }
            sessionId = bound.sessionId();
        } else if (presented != null) {
            sessionId = presented.sessionId();
        } else if (admission.claimedSession(socket.getId()).isPresent()) {
            sessionId = admission.claimedSession(socket.getId()).get(); // claimed a place, not admitted
        } else {
            String hitId = p.optionalId("hit_id");
            if (hitId == null) {
                throw new ProtocolException("not_joined", "isJobFull: join first (send 'connected') or name 'hit_id'");
            }
            sessionId = store.findSessionByHit(hitId).orElseThrow(() -> new ProtocolException("unknown_hit",
                    "HIT '" + hitId + "' is not part of any Pavilion session"));
        }
        String addressee = workerId;
        Queues now = sessions.published(sessionId); // answered without waiting for the session's writer
        if (now.stopped() || now.isFull(sessions.config(sessionId).thresholds())) {
            outbound.toSocket(socket, "job_is_full", new JSONObject()
                    .put("message", "the session is full; please return the HIT")
                    .put("id", addressee == null ? JSONObject.NULL : addressee));
        }
    }

    /**
     * Runs a worker's event for the connection's own worker. The seed's main task page never sends
     * {@code connected}: its first event ({@code submit_active}, or {@code IAmReady}) names its worker,
     * assignment and HIT, so it is taken as the page's join (SPEC §5) — admitted exactly as any join is
     * (a confirmed assignment, the worker's own), and the event runs once the page is bound.
     */
    private void asWorker(SocketIoSocket socket, WorkerIdentity presented, String event, Payload p, Ack ack,
                          java.util.function.BiConsumer<WorkerBinding, Payload> action) {
        if (connections.of(socket.getId()) instanceof WorkerBinding) {
            action.accept(requireWorker(socket, p, "worker"), p);
            return;
        }
        String workerId = p.id("worker");
        String assignmentId = p.optionalId("aid");
        String hitId = p.optionalId("hit_id");
        if (assignmentId == null || hitId == null && presented == null) {
            throw new ProtocolException("not_joined", "join first (send 'connected'), or name 'aid' and 'hit_id'");
        }
        admission.claim(socket, presented, workerId, assignmentId, hitId, bound -> {
            try {
                action.accept(bound, p); // the place claimed with this payload's worker and assignment
            } catch (RuntimeException e) {
                failed(socket, event, e, ack);
            }
        });
    }

    private void ready(SocketIoSocket socket, WorkerBinding bound, Payload p, Ack ack) {
        if (!bound.verified()) {
            grace.leftForMainTask(bound.key()); // before the outcome: the seed's page disconnects right after it emits
        }
        CompletableFuture<Outcome> done = sessions.submitDescribed(bound.sessionId(),
                new QueueEvent.Ready(bound.workerId()), "worker:" + bound.workerId(), waitReport(bound, p));
        whenDone(socket, "IAmReady", ack.after(done), outcome -> { });
    }

    private void submit(SocketIoSocket socket, String event, WorkerBinding bound, Payload p, Ack ack) {
        // A page's submit frees the slot now; the hire it causes waits for the marketplace's confirmation.
        QueueEvent leave = QueueEvent.Leave.claimedByPage(bound.workerId(), bound.assignmentId(), Departure.SUBMIT);
        CompletableFuture<Outcome> done;
        if (event.equals("submit_waiting")) {
            // read here, on the connection's thread: a malformed payload is refused before anything is queued
            java.util.function.Function<org.pavilion.queue.QueueEngine, String> report = waitReport(bound, p);
            done = sessions.submitDescribed(bound.sessionId(), leave, "worker:" + bound.workerId(),
                    engine -> event + "; " + report.apply(engine));
        } else {
            done = sessions.submit(bound.sessionId(), leave, "worker:" + bound.workerId(), event);
        }
        whenDone(socket, event, ack.after(done), outcome -> { });
    }

    private void stopJob(SocketIoSocket socket, Payload p) {
        AdminBinding admin = requireAdmin(socket, "stop_this_job");
        whenDone(socket, "stop_this_job", sessions.submit(admin.sessionId(), new QueueEvent.Stop(admin.admin()),
                "admin:" + admin.admin(), null), outcome -> { });
    }

    private void expire(SocketIoSocket socket, Payload p) {
        AdminBinding admin = requireAdmin(socket, "expireHIT");
        Object taskId = p.json().opt("taskID");
        SessionConfig config = sessions.config(admin.sessionId());
        if (taskId != null && taskId != JSONObject.NULL && !String.valueOf(taskId).equals(String.valueOf(config.taskId()))) {
            throw new ProtocolException("invalid_payload", "expireHIT: task " + taskId + " is not the task of session "
                    + admin.sessionId() + " (task " + config.taskId() + ")");
        }
        whenDone(socket, "expireHIT", sessions.submit(admin.sessionId(), new QueueEvent.Expire(admin.admin()),
                "admin:" + admin.admin(), null), outcome -> { });
    }

    private void payStatus(SocketIoSocket socket, Payload p) {
        Binding current = connections.of(socket.getId());
        if (!(current instanceof WorkerBinding bound)) {
            Optional<Long> claimed = admission.claimedSession(socket.getId());
            if (claimed.isEmpty()) {
                throw new ProtocolException("not_joined", "pay_status: join first (send 'connected')");
            }
            // Joined, not admitted yet (or waiting for the marketplace's confirmation): nothing earned so far.
            outbound.toSocket(socket, "pay_status", new JSONObject().put("waited_seconds", 0).put("pay_cents", 0)
                    .put("cents_per_hour", sessions.config(claimed.get()).waitingPayCentsPerHour()));
            return;
        }
        // The current assignment's paid wait (capped at the longest paid wait), as its payout will settle it;
        // with the worker's status and the session's phase, so the page can say where the worker stands
        // (a reserve in a started session, returned from the marketplace, ...) even after it left the queues.
        PayRules rules = sessions.config(bound.sessionId()).payRules();
        whenDone(socket, "pay_status", bounded(sessions.read(bound.sessionId(), engine -> new JSONObject()
                .put("waited_millis", engine.paidWaitMillis(bound.workerId(), clock.instant()))
                .put("status", engine.statusOf(bound.workerId()).name().toLowerCase(java.util.Locale.ROOT))
                .put("started", engine.isStarted())
                .put("stopped", engine.isStopped() || engine.isExpired()))), state -> {
                    long waited = (Long) state.remove("waited_millis");
                    outbound.toSocket(socket, "pay_status", state
                            .put("waited_seconds", waited / 1000)
                            .put("pay_cents", rules.waitingCents(waited))
                            .put("cents_per_hour", rules.waitingCentsPerHour()));
                });
    }

    private void taskEvent(SocketIoSocket socket, String event, Object[] args, Ack ack) {
        TaskLogic logic = taskEvents.get(event);
        if (logic == null) {
            throw new ProtocolException("unknown_event", "unknown event '" + clip(event, 64) + "'");
        }
        Binding current = connections.of(socket.getId());
        if (!(current instanceof WorkerBinding bound)) {
            throw new ProtocolException("not_joined", event + ": join first (send 'connected')");
        }
        Payload payload = Payload.of(event, args);
        Context context = new Context(socket, bound);
        logic.onEvent(context, event, payload.json()); // a refusal throws: nothing recorded, nothing held sent
        context.finish(event, ack);
    }

    // ---- disconnects (SPEC §4.7) -------------------------------------------------------------

    /** {@code reason}: Socket.IO's, e.g. "client namespace disconnect" (the page said goodbye), "transport close". */
    private void onDisconnect(SocketIoSocket socket, String reason) {
        admission.forget(socket.getId());
        WorkerBinding last = connections.unbind(socket.getId());
        if (last == null) {
            return;
        }
        grace.connectionLost(last, ABRUPT_ENDS.contains(reason));
    }

    // ---- helpers -----------------------------------------------------------------------------

    private WorkerBinding requireWorker(SocketIoSocket socket, Payload p, String field) {
        Binding current = connections.of(socket.getId());
        if (!(current instanceof WorkerBinding bound)) {
            throw new ProtocolException("not_joined", "join first (send 'connected')");
        }
        String claimed = p.id(field);
        String aid = p.optionalId("aid");
        if (!bound.workerId().equals(claimed) || aid != null && !bound.assignmentId().equals(aid)) {
            throw notYours(bound);
        }
        return bound;
    }

    private AdminBinding requireAdmin(SocketIoSocket socket, String event) {
        if (connections.of(socket.getId()) instanceof AdminBinding admin) {
            return admin;
        }
        throw new ProtocolException("not_admin", event + " is accepted only from an authenticated admin");
    }

    private static ProtocolException notYours(WorkerBinding bound) {
        return Admission.notYours(bound);
    }

    /**
     * The log's words for a page's IAmReady or submit_waiting: the wait and waiting pay the server computed
     * (what pay uses, SPEC §4.3), then the page's own figures, kept only to compare. Read on the session's
     * writer right before the event, so the wait is the one the event settles.
     */
    private java.util.function.Function<org.pavilion.queue.QueueEngine, String> waitReport(WorkerBinding bound,
                                                                                             Payload p) {
        String page = pageReport(p); // parsed now: a malformed payload is refused before anything is queued
        PayRules rules = sessions.config(bound.sessionId()).payRules();
        return engine -> {
            long waited = engine.paidWaitMillis(bound.workerId(), clock.instant());
            return "server: paid wait " + waited / 1000 + " s, waiting pay "
                    + org.pavilion.pay.Money.ofCents(rules.waitingCents(waited)).display()
                    + "; the page's own figures (not used for pay): " + page;
        };
    }

    /** What the page reported about its waiting, in plain words; pay never uses it (SPEC §4.3). */
    private static String pageReport(Payload p) {
        Double seconds = p.clientSeconds("time_waited");
        Object reward = p.json().opt("reward");
        String wait = seconds == null ? "no wait" : "waited " + Math.round(seconds) + " s";
        String pay = reward == null || reward == JSONObject.NULL ? "no reward"
                : "reward " + clip(String.valueOf(reward), MAX_CLIENT_NUMBER_TEXT);
        return wait + ", " + pay;
    }

    private <T> void whenDone(SocketIoSocket socket, String event, CompletableFuture<T> future,
                              java.util.function.Consumer<T> then) {
        future.whenComplete((value, failure) -> {
            if (failure == null) {
                then.accept(value);
                return;
            }
            failed(socket, event, failure, Ack.none());
        });
    }

    private void error(SocketIoSocket socket, String code, String message, String event) {
        refusals.refused(code, event, socket.getId(), message);
        outbound.toSocket(socket, ERROR, ProtocolMessages.error(code, message, event));
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    /**
     * A read that must wait for the session's writer, bounded by {@link #SOCKET_WAIT}: past it the page
     * gets {@code try_again} (a read changed nothing). Writes are never cut short this way: their answer
     * must say what was stored.
     */
    private static <T> CompletableFuture<T> bounded(CompletableFuture<T> read) {
        return read.orTimeout(SOCKET_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * What task logic sees of one event: its sender and ways to answer within the session. Once the logic
     * has recorded task data, its messages are held until the records are durable ({@link #finish}).
     */
    private final class Context implements TaskContext {
        private final SocketIoSocket socket;
        private final WorkerBinding sender;
        private final List<TaskRecord> records = new ArrayList<>();
        /** Other writes of this event (bonus awards) its messages and acknowledgement wait for. */
        private final List<CompletableFuture<?>> writes = new ArrayList<>();
        private final List<Runnable> held = new ArrayList<>();
        private boolean finished;

        Context(SocketIoSocket socket, WorkerBinding sender) {
            this.socket = socket;
            this.sender = sender;
        }

        @Override
        public long sessionId() {
            return sender.sessionId();
        }

        @Override
        public String workerId() {
            return sender.workerId();
        }

        @Override
        public WorkerStatus status() {
            return statusOf(sender.workerId());
        }

        @Override
        public List<String> activeWorkers() {
            return sessions.published(sender.sessionId()).active();
        }

        private WorkerStatus statusOf(String workerId) {
            return sessions.publishedStatus(sender.sessionId(), workerId);
        }

        @Override
        public void sendTo(String workerId, String event, JSONObject payload) {
            send(() -> outbound.toRoom(Rooms.worker(sender.sessionId(), workerId), event, payload));
        }

        @Override
        public void reply(String event, JSONObject payload) {
            send(() -> outbound.toSocket(socket, event, payload));
        }

        @Override
        public void record(String kind, String alias, JSONObject data) {
            String text = TaskRecord.check(kind, alias, sender.workerId(), data);
            TaskRecord r = new TaskRecord(0, sender.sessionId(), clock.instant().truncatedTo(ChronoUnit.MICROS),
                    sender.workerId(), alias, kind, text);
            synchronized (this) {
                if (!finished) {
                    records.add(r);
                    return;
                }
            }
            // Recorded after the event was answered (from another thread of the logic's): written on its own.
            if (!taskData.submit(new TaskDataWriter.Unit(List.of(r), () -> { }, failure -> { }))) {
                throw busy(kind);
            }
        }

        private void send(Runnable message) {
            synchronized (this) {
                if (!finished && (!records.isEmpty() || !writes.isEmpty())) {
                    held.add(message);
                    return;
                }
            }
            message.run();
        }

        /**
         * The logic is done with the event: its records are queued for writing; its held messages, then its
         * acknowledgement, leave once they are durable. Nothing recorded: acknowledged at once.
         */
        void finish(String event, Ack ack) {
            List<TaskRecord> written;
            List<CompletableFuture<?>> others;
            List<Runnable> messages;
            synchronized (this) {
                finished = true;
                written = List.copyOf(records);
                others = List.copyOf(writes);
                messages = List.copyOf(held);
            }
            if (written.isEmpty() && others.isEmpty()) {
                ack.after(CompletableFuture.completedFuture(null));
                return;
            }
            CompletableFuture<Void> recorded = new CompletableFuture<>();
            if (written.isEmpty()) {
                recorded.complete(null);
            } else if (!taskData.submit(new TaskDataWriter.Unit(written, () -> recorded.complete(null),
                    recorded::completeExceptionally))) {
                throw busy(event);
            }
            List<CompletableFuture<?>> all = new ArrayList<>(others);
            all.add(recorded);
            // Messages leave in the order they were sent, once everything the event wrote is durable.
            CompletableFuture<Void> durable = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .thenRun(() -> messages.forEach(Runnable::run));
            whenDone(socket, event, ack.after(durable), done -> { });
        }

        @Override
        public CompletableFuture<String> awardBonus(String workerId, int cents, String reason) {
            if (statusOf(workerId) == null) {
                throw new ProtocolException("refused", "worker '" + workerId + "' has not joined this session");
            }
            CompletableFuture<String> token;
            try {
                token = bonuses.awardLater(sender.sessionId(), workerId, cents, reason).thenApply(b -> b.token());
            } catch (java.util.concurrent.RejectedExecutionException full) {
                throw new ProtocolException("busy", "the server is busy storing bonuses; nothing was awarded, try again");
            }
            synchronized (this) {
                if (!finished) {
                    writes.add(token);
                }
            }
            return token;
        }

        @Override
        public void refuse(String message) {
            throw new ProtocolException("refused", message);
        }
    }

    private static ProtocolException busy(String event) {
        return new ProtocolException("busy", clip(event, 64) + ": the server is busy storing task data; "
                + "nothing was sent, try again");
    }

    /** For tests and views: whether a worker has a live connection to its session now. */
    public boolean isConnected(long sessionId, String workerId) {
        return connections.isConnected(new WorkerKey(sessionId, workerId));
    }
}
