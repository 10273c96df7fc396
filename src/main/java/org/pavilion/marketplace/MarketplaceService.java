package org.pavilion.marketplace;

import java.util.ArrayList;
import java.util.List;

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
import org.pavilion.session.LiveSessionService;
import org.pavilion.session.RequestTokens;
import org.pavilion.session.SessionConfig;
import org.pavilion.storage.JdbcSessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
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

    private final ObjectProvider<Marketplace> marketplace;
    private final LiveSessionService sessions;
    private final JdbcSessionStore store;
    private final TaskRepository tasks;
    private final MarketplaceSettings settings;

    public MarketplaceService(ObjectProvider<Marketplace> marketplace, LiveSessionService sessions,
                              JdbcSessionStore store, TaskRepository tasks, MarketplaceSettings settings) {
        this.marketplace = marketplace;
        this.sessions = sessions;
        this.store = store;
        this.tasks = tasks;
        this.settings = settings;
    }

    /** A session that went live: its id and where it is on the marketplace. */
    public record Posted(long sessionId, String hitTypeId, String hitId) {
    }

    /**
     * Goes live: opens a session of the task and posts its HIT. If the marketplace refuses, the
     * session just opened is expired at once (nobody can have joined it) and the refusal is thrown.
     */
    public Posted goLive(long taskId, String admin) {
        Task task = tasks.find(taskId).orElseThrow(() -> new UnknownTaskException(taskId));
        Marketplace market = marketplace.getObject();
        String hitTypeId = market.createHitType(hitType(task.settings()));
        SessionConfig session = sessions.open(taskId);
        try {
            String token = postToken(session.sessionId());
            Hit hit = post(market, hitTypeId, hit(task.settings(), session.thresholds().capacity(), token), token);
            store.recordSessionHit(session.sessionId(), hitTypeId, hit.hitId());
            market.registerNotifications(hitTypeId, settings.notificationTopicArn(), EVENT_TYPES);
            log.info("session {} of task {} is live: HIT {} of type {} ({} assignments), by {}", session.sessionId(),
                    taskId, hit.hitId(), hitTypeId, session.thresholds().capacity(), admin);
            return new Posted(session.sessionId(), hitTypeId, hit.hitId());
        } catch (RuntimeException e) {
            sessions.apply(session.sessionId(), new QueueEvent.Expire("system"), "system");
            throw e;
        }
    }

    /**
     * Posts the session's HIT. If the client's own retry finds the token already used (its first
     * attempt made the HIT, the answer was lost), that HIT is the one annotated with the token.
     */
    private static Hit post(Marketplace market, String hitTypeId, HitSpec spec, String token) {
        try {
            return market.createHit(hitTypeId, spec, token);
        } catch (RequestTokenUsedException e) {
            return market.findHitByAnnotation(hitTypeId, token).orElseThrow(() -> new MarketplaceException(
                    e.errorCode(), "the marketplace had already seen token " + token + ", but lists no HIT of type "
                    + hitTypeId + " annotated with it; nothing was posted in its place", false, e));
        }
    }

    /** The deterministic token of a session's first HIT. */
    String postToken(long sessionId) {
        return RequestTokens.post(store.instanceId(), sessionId);
    }

    /** The HIT type of a task: everything its HITs share. */
    static HitTypeSpec hitType(TaskSettings t) {
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
        return new HitTypeSpec(t.title(), t.description(), t.keywords(), t.rewardCents(),
                t.assignmentDurationSeconds(), t.autoApprovalDelaySeconds(), qualifications);
    }

    /** One HIT of a task: the first holds the whole session, each hire one more assignment. */
    static HitSpec hit(TaskSettings t, int assignments, String token) {
        return new HitSpec(t.lifetimeSeconds(), assignments, ExternalQuestionXml.of(t.externalUrl(), t.frameHeight()),
                token);
    }
}
