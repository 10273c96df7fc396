package org.pavilion.marketplace;

import java.util.ArrayList;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongFunction;

import org.pavilion.eligibility.CustomQualification;
import org.pavilion.eligibility.Eligibility;
import org.pavilion.eligibility.EligibilityStore;
import org.pavilion.eligibility.ParticipantQualifications;
import org.pavilion.marketplace.Marketplace.Hit;
import org.pavilion.marketplace.Marketplace.HitSpec;
import org.pavilion.marketplace.Marketplace.HitTypeSpec;
import org.pavilion.marketplace.Marketplace.QualificationRequirement;
import org.pavilion.marketplace.mturk.ExternalQuestionXml;
import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.project.UnknownTaskException;
import org.pavilion.queue.QueueEvent;
import org.pavilion.session.GoLiveIntent;
import org.pavilion.session.GoLiveOptions;
import org.pavilion.marketplace.MarketplaceSettings.Mode;
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.RequestTokens;
import org.pavilion.session.SessionConfig;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * A session's life on the marketplace (SPEC §4.8): going live posts the task as one HIT with
 * room for the whole session ({@code maxActive + maxWaiting} assignments), keeps the HIT type
 * for hires, and registers the HIT type's notifications.
 */
@Service
public class MarketplaceService {

    private static final Logger log = LoggerFactory.getLogger(MarketplaceService.class);

    /** The notifications Pavilion asks for (SPEC §4.8). */
    public static final List<String> EVENT_TYPES = List.of("AssignmentAccepted", "AssignmentAbandoned",
            "AssignmentReturned", "AssignmentSubmitted", "HITCreated", "HITExpired");

    /** The client of a marketplace mode. */
    private final Function<Mode, Marketplace> marketplace;
    /** An admin's choice of marketplace as a mode, refused when not offered ({@link Marketplaces#choose}). */
    private final Function<String, Mode> chooser;
    private final LiveSessionService sessions;
    private final JdbcSessionStore store;
    private final TaskRepository tasks;
    private final MarketplaceSettings settings;
    private final ObjectProvider<SideEffectOutbox> outbox;
    private final LongFunction<Eligibility> eligibility;
    private final ParticipantQualifications participants; // null: no marketplace-side exclusion (tools)
    private final Map<String, Object> clicks = new ConcurrentHashMap<>();

    /** Sessions on the marketplaces offered at Go live ({@link Marketplaces}), with who may work on each task. */
    @Autowired
    public MarketplaceService(ObjectProvider<Marketplaces> marketplaces, LiveSessionService sessions,
                              JdbcSessionStore store, TaskRepository tasks, MarketplaceSettings settings,
                              ObjectProvider<SideEffectOutbox> outbox, EligibilityStore eligibility,
                              ParticipantQualifications participants) {
        this(mode -> marketplaces.getObject().of(mode), choice -> marketplaces.getObject().choose(choice), sessions,
                store, tasks, settings, outbox, eligibility::find, participants);
    }

    /**
     * Every session on one marketplace, the configured mode's, and every task's who-may-work settings the
     * defaults (tools and tests that run one marketplace).
     */
    public static MarketplaceService onOneMarketplace(ObjectProvider<Marketplace> marketplace,
                                                      LiveSessionService sessions, JdbcSessionStore store,
                                                      TaskRepository tasks, MarketplaceSettings settings,
                                                      ObjectProvider<SideEffectOutbox> outbox) {
        return new MarketplaceService(mode -> marketplace.getObject(),
                choice -> settings.mode() == null ? Mode.LOCAL : settings.mode(), sessions, store, tasks, settings,
                outbox, taskId -> Eligibility.DEFAULT, null);
    }

    private MarketplaceService(Function<Mode, Marketplace> marketplace, Function<String, Mode> chooser,
                               LiveSessionService sessions, JdbcSessionStore store, TaskRepository tasks,
                               MarketplaceSettings settings, ObjectProvider<SideEffectOutbox> outbox,
                               LongFunction<Eligibility> eligibility, ParticipantQualifications participants) {
        this.eligibility = eligibility;
        this.participants = participants;
        this.outbox = outbox;
        this.marketplace = marketplace;
        this.chooser = chooser;
        this.sessions = sessions;
        this.store = store;
        this.tasks = tasks;
        this.settings = settings;
    }

    /** A session that went live: its id and where it is on the marketplace. */
    public record Posted(long sessionId, String hitTypeId, String hitId) {
    }

    /**
     * Goes live for a click without a nonce of its own (tools, the simulator): never a repeat.
     * See {@link #goLive(long, String, String)}.
     */
    public Posted goLive(long taskId, String admin) {
        return goLive(taskId, admin, null);
    }

    /**
     * Goes live, once per task and click ({@code nonce}: the go-live form's, or the API's
     * Idempotency-Key; null or blank: a new click). The intent is recorded with the session it opens
     * before the HIT is posted with the session's post token (issue 13 item 1), so a crash in between
     * is recovered by token ({@link SideEffectOutbox}) and never posts a second HIT. A repeat of a
     * click answers what the first did: the same session and HIT, or its refusal. If the marketplace
     * refuses, the session just opened is expired at once (nobody can have joined it) and the refusal
     * is thrown.
     */
    public Posted goLive(long taskId, String admin, String nonce) {
        return goLive(taskId, admin, nonce, GoLiveOptions.TASK_DEFAULTS);
    }

    /**
     * {@link #goLive(long, String, String)} with what the admin chose for this session: its name, thresholds
     * and marketplace ({@code options.marketplace()} as the admin wrote it: local, sandbox, production, or
     * null for the configured one). A marketplace that is not offered is refused before anything is opened.
     */
    public Posted goLive(long taskId, String admin, String nonce, GoLiveOptions options) {
        Task task = tasks.find(taskId).orElseThrow(() -> new UnknownTaskException(taskId));
        GoLiveOptions chosen = options == null ? GoLiveOptions.TASK_DEFAULTS : options;
        Mode mode = chooser.apply(chosen.marketplace());
        GoLiveOptions resolved = chosen.onMarketplace(mode.name());
        String click = nonce == null || nonce.isBlank() ? UUID.randomUUID().toString() : checkedNonce(nonce);
        String key = taskId + "/" + click;
        Object lock = clicks.computeIfAbsent(key, k -> new Object());
        try {
            synchronized (lock) { // a double submit waits for the first, then answers what it did
                SideEffectOutbox sender = outbox.getObject();
                while (!sender.claim(taskId, click)) { // the outbox's own round is settling this click
                    Thread.sleep(50);
                }
                try {
                    return goLive(task, click, admin, sender, resolved, mode);
                } finally {
                    sender.release(taskId, click);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MarketplaceException("Interrupted", "go-live interrupted", true);
        } finally {
            clicks.remove(key, lock);
        }
    }

    /** Goes live for a click this request has claimed: answers an earlier attempt, or records and posts. */
    private Posted goLive(Task task, String click, String admin, SideEffectOutbox sender, GoLiveOptions options,
                          Mode mode) {
        long taskId = task.id();
        Optional<GoLiveIntent> earlier = store.goLive(taskId, click);
        if (earlier.isPresent() && !earlier.get().pending()) {
            return answer(earlier.get());
        }
        GoLiveIntent intent;
        if (earlier.isPresent()) {
            intent = earlier.get();
        } else {
            Eligibility who = eligibility.apply(taskId);
            // The project's past workers are kept out at the marketplace too: they hold its qualification
            // (one per marketplace: each has its own qualification types and worker ids).
            String participantType = who.excludeProjectWorkers() && participants != null
                    ? participants.ensure(task.projectId(), store.instanceId(), mode) : null;
            String hitTypeId = marketplace.apply(mode).createHitType(hitType(task.settings(), who, mode,
                    participantType));
            intent = store.recordGoLive(taskId, click, hitTypeId, admin, Instant.now(), options);
            if (!intent.pending()) {
                return answer(intent);
            }
        }
        if (intent.state() == GoLiveIntent.State.CANCELLING) {
            throw new MarketplaceException("GoLiveFailed", "this go-live failed: " + intent.lastError(), false);
        }
        Posted posted = sender.post(intent);
        log.info("session {} of task {} is live: HIT {} of type {}, by {}", posted.sessionId(), taskId,
                posted.hitId(), posted.hitTypeId(), admin);
        return posted;
    }

    /** What an earlier go-live of the same click did. */
    private static Posted answer(GoLiveIntent intent) {
        if (intent.state() == GoLiveIntent.State.DONE) {
            return new Posted(intent.sessionId(), intent.hitTypeId(), intent.hitId());
        }
        throw new MarketplaceException("GoLiveFailed", "this go-live failed: " + intent.lastError(), false);
    }

    private static String checkedNonce(String nonce) {
        String n = nonce.strip();
        // a longer key stands for itself by its digest, so it fits the column and still names one click
        return n.length() <= 64 ? n
                : UUID.nameUUIDFromBytes(n.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    /** The deterministic token of a session's first HIT. */
    String postToken(long sessionId) {
        return RequestTokens.post(store.instanceId(), sessionId);
    }

    /** The HIT type of a task with the default who-may-work settings. */
    static HitTypeSpec hitType(TaskSettings t) {
        return hitType(t, Eligibility.DEFAULT, MarketplaceSettings.Mode.LOCAL, null);
    }

    /**
     * The HIT type of a task: everything its HITs share, with the requirements of who may work (the task's
     * country, approval rate and approved HITs; Masters, in the marketplace's own id for it; the admin's own
     * qualification requirements). The local marketplace stands in for the sandbox, so it gets the sandbox's
     * Masters id. {@code participantType}: the project's "took part" qualification, which a worker must not
     * hold (null: none).
     */
    static HitTypeSpec hitType(TaskSettings t, Eligibility e, MarketplaceSettings.Mode mode, String participantType) {
        List<QualificationRequirement> qualifications = new ArrayList<>();
        if (t.minApprovalPercent() != null) {
            qualifications.add(QualificationRequirement.approvalRateAtLeast(t.minApprovalPercent()));
        }
        if (t.minApprovedHits() != null) {
            qualifications.add(QualificationRequirement.approvedHitsAtLeast(t.minApprovedHits()));
        }
        if (t.country() != null) {
            qualifications.add(QualificationRequirement.locale(t.country()));
        }
        if (e.masters()) {
            qualifications.add(new QualificationRequirement(mode == MarketplaceSettings.Mode.PRODUCTION
                    ? QualificationRequirement.MASTERS_PRODUCTION : QualificationRequirement.MASTERS_SANDBOX,
                    "Exists", List.of(), List.of(), null));
        }
        for (CustomQualification q : e.qualifications()) {
            qualifications.add(new QualificationRequirement(q.qualificationTypeId(), q.comparator(),
                    q.integerValues(), q.localeValues(), null));
        }
        if (participantType != null) {
            qualifications.add(new QualificationRequirement(participantType, "DoesNotExist", List.of(), List.of(),
                    QualificationRequirement.DISCOVER_PREVIEW_AND_ACCEPT));
        }
        return new HitTypeSpec(t.title(), t.description(), t.keywords(), t.rewardCents(),
                t.assignmentDurationSeconds(), t.autoApprovalDelaySeconds(), qualifications);
    }

    /** One HIT of a task: the first holds the whole session, each hire one more assignment. */
    static HitSpec hit(TaskSettings t, int assignments, String token) {
        return new HitSpec(t.lifetimeSeconds(), assignments, ExternalQuestionXml.of(t.externalUrl(), t.frameHeight()),
                token);
    }
}
