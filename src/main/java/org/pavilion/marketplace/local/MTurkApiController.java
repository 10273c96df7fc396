package org.pavilion.marketplace.local;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import org.pavilion.pay.Money;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * MTurk's Requester API (version 2017-01-17) served by the local marketplace at
 * {@code POST /local-mturk/}: AWS JSON 1.1 ({@code Content-Type: application/x-amz-json-1.1},
 * {@code X-Amz-Target: MTurkRequesterServiceV20170117.<Operation>}), every request's SigV4
 * signature checked ({@link SigV4Verifier}). Operations: CreateHITType, CreateHITWithHITType,
 * GetHIT, ListHITs, UpdateExpirationForHIT, UpdateNotificationSettings, SendTestEventNotification,
 * ListAssignmentsForHIT, GetAssignment, ApproveAssignment, RejectAssignment, SendBonus,
 * ListBonusPayments, GetAccountBalance, CreateQualificationType, ListQualificationTypes,
 * AssociateQualificationWithWorker — with MTurk's field names; timestamps are epoch seconds,
 * amounts strings.
 *
 * <p>Errors are HTTP 400 with MTurk's document
 * {@code {"__type":"com.amazonaws.mturk#RequestError","Message":"…","TurkErrorCode":"…"}}
 * ({@code #ServiceFault} for an internal failure); authentication failures carry AWS's types
 * ({@code UnrecognizedClientException}, {@code InvalidSignatureException}, …).
 */
@Controller
@ConditionalOnLocalMarketplace
public class MTurkApiController {

    private static final Logger log = LoggerFactory.getLogger(MTurkApiController.class);
    public static final String TARGET_PREFIX = "MTurkRequesterServiceV20170117.";
    public static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    static final String REQUEST_ERROR = "com.amazonaws.mturk#RequestError";
    static final String SERVICE_FAULT = "com.amazonaws.mturk#ServiceFault";
    private static final int MAX_BODY = 1 << 20;
    private static final long DEFAULT_AUTO_APPROVAL = 2_592_000L;
    private static final String HITS_TOKEN_PREFIX = "ListHITs:";
    /** A US dollar amount as MTurk takes it: digits, a point, digits; no sign of currency. */
    private static final java.util.regex.Pattern USD = java.util.regex.Pattern.compile("-?\\d{1,12}(\\.\\d{1,12})?");
    private static final String BONUS_TOKEN_PREFIX = "ListBonusPayments:";
    private static final String QUALIFICATION_TOKEN_PREFIX = "ListQualificationTypes:";
    static final String OPERATIONS = "CreateHITType, CreateHITWithHITType, GetHIT, ListHITs, UpdateExpirationForHIT, "
            + "UpdateNotificationSettings, SendTestEventNotification, ListAssignmentsForHIT, GetAssignment, "
            + "ApproveAssignment, RejectAssignment, SendBonus, ListBonusPayments, GetAccountBalance, "
            + "CreateQualificationType, ListQualificationTypes, AssociateQualificationWithWorker";

    private final LocalMarketplace marketplace;
    private final SigV4Verifier verifier;
    private final FaultInjector faults;
    private final JsonMapper json = JsonMapper.builder().build();

    public MTurkApiController(LocalMarketplace marketplace, SigV4Verifier verifier, FaultInjector faults) {
        this.marketplace = marketplace;
        this.verifier = verifier;
        this.faults = faults;
    }

    @PostMapping(path = {"/local-mturk", "/local-mturk/"})
    public ResponseEntity<String> call(HttpServletRequest request) throws IOException {
        byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            return error(413, "SerializationException", "The request body is larger than 1 MiB", null);
        }
        try {
            verifier.verify(new SigV4Verifier.Received(request.getMethod(), request.getScheme(),
                    request.getServerName(), request.getServerPort(), request.getRequestURI(),
                    request.getQueryString(), name -> Collections.list(request.getHeaders(name)), body));
        } catch (SigV4Verifier.Refused e) {
            return error(e.status(), e.type(), e.getMessage(), null);
        }
        String target = request.getHeader("X-Amz-Target");
        if (target == null || !target.startsWith(TARGET_PREFIX)) {
            return error(400, "UnknownOperationException", "X-Amz-Target must be " + TARGET_PREFIX + "<Operation>",
                    null);
        }
        String contentType = request.getContentType();
        if (contentType == null || !contentType.toLowerCase().startsWith(CONTENT_TYPE)) {
            return error(400, "SerializationException", "Content-Type must be " + CONTENT_TYPE, null);
        }
        String operation = target.substring(TARGET_PREFIX.length());
        JsonNode input;
        try {
            input = body.length == 0 ? json.createObjectNode() : json.readTree(body);
        } catch (JacksonException e) {
            return error(400, "SerializationException", "The request body is not valid JSON", null);
        }
        if (input == null || !input.isObject()) {
            return error(400, "SerializationException", "The request body must be a JSON object", null);
        }
        Optional<FaultInjector.Fault> fault = faults.next(operation);
        if (fault.isPresent() && fault.get() != FaultInjector.Fault.LOST_RESPONSE) {
            return injected(fault.get());
        }
        try {
            ObjectNode output = dispatch(operation, input);
            if (output == null) {
                return error(400, "UnknownOperationException", "Operation " + operation + " is not served by the "
                        + "local marketplace (it serves " + OPERATIONS + ")", null);
            }
            if (fault.isPresent()) {
                return injected(fault.get());
            }
            return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
                    .header("x-amzn-RequestId", UUID.randomUUID().toString())
                    .body(json.writeValueAsString(output));
        } catch (LocalMarketplaceException e) {
            return error(400, e.kind() == LocalMarketplaceException.Kind.SERVICE_FAULT ? SERVICE_FAULT : REQUEST_ERROR,
                    e.getMessage(), e.turkErrorCode());
        } catch (RuntimeException e) {
            log.error("local MTurk API: {} failed", operation, e);
            return error(400, SERVICE_FAULT, "The local marketplace failed to process the request: " + e
                    + " (" + System.currentTimeMillis() + ")", "AWS.MechanicalTurk.ServiceFault");
        }
    }

    private ObjectNode dispatch(String operation, JsonNode in) {
        ObjectNode out = json.createObjectNode();
        switch (operation) {
            case "CreateHITType": {
                JsonNode quals = in.get("QualificationRequirements");
                if (quals != null && !quals.isNull() && !quals.isArray()) {
                    throw LocalMarketplaceException.invalid("QualificationRequirements must be a list");
                }
                LocalMarketplace.HitType type = marketplace.createHitType(new LocalMarketplace.HitTypeSpec(
                        text(in, "Title", true), text(in, "Description", true), text(in, "Keywords", false),
                        amount(in, "Reward"), number(in, "AssignmentDurationInSeconds", null),
                        number(in, "AutoApprovalDelayInSeconds", DEFAULT_AUTO_APPROVAL),
                        quals == null || quals.isNull() ? null : json.writeValueAsString(quals)));
                out.put("HITTypeId", type.hitTypeId());
                return out;
            }
            case "CreateHITWithHITType": {
                if (in.hasNonNull("HITLayoutId")) {
                    throw LocalMarketplaceException.invalid("HITLayoutId is not supported by the local marketplace: "
                            + "give a Question");
                }
                long max = number(in, "MaxAssignments", 1L);
                LocalMarketplace.HitView hit = marketplace.createHit(text(in, "HITTypeId", true),
                        number(in, "LifetimeInSeconds", null), (int) Math.min(max, Integer.MAX_VALUE),
                        text(in, "Question", true), text(in, "RequesterAnnotation", false),
                        text(in, "UniqueRequestToken", false));
                out.set("HIT", hit(hit));
                return out;
            }
            case "GetHIT":
                out.set("HIT", hit(marketplace.getHit(text(in, "HITId", true))));
                return out;
            case "UpdateExpirationForHIT":
                marketplace.updateExpiration(text(in, "HITId", true), instant(in, "ExpireAt"));
                return out;
            case "UpdateNotificationSettings": {
                JsonNode spec = in.get("Notification");
                JsonNode active = in.get("Active");
                if (active != null && !active.isNull() && !active.isBoolean()) {
                    throw LocalMarketplaceException.invalid("Active must be true or false");
                }
                marketplace.updateNotificationSettings(text(in, "HITTypeId", true),
                        spec == null || spec.isNull() ? null : specification(spec),
                        active == null || active.isNull() ? null : active.booleanValue());
                return out;
            }
            case "SendTestEventNotification": {
                JsonNode spec = in.get("Notification");
                if (spec == null || spec.isNull()) {
                    throw LocalMarketplaceException.invalid("Notification is required");
                }
                marketplace.sendTestEvent(specification(spec), text(in, "TestEventType", true));
                return out;
            }
            case "ListAssignmentsForHIT":
                return listAssignments(in, out);
            case "ListHITs":
                return listHits(in, out);
            case "GetAssignment": {
                String id = text(in, "AssignmentId", true);
                LocalMarketplace.AssignmentView a = marketplace.assignment(id)
                        .filter(v -> v.status().completed())
                        .orElseThrow(() -> LocalMarketplaceException.notFound(
                                "AWS.MechanicalTurk.AssignmentDoesNotExist", "Assignment " + id + " does not exist. ("
                                        + System.currentTimeMillis() + ")"));
                out.set("Assignment", assignment(a));
                out.set("HIT", hit(marketplace.getHit(a.hitId())));
                return out;
            }
            case "ApproveAssignment": {
                JsonNode override = in.get("OverrideRejection");
                marketplace.approve(text(in, "AssignmentId", true), text(in, "RequesterFeedback", false),
                        override != null && override.isBoolean() && override.booleanValue());
                return out;
            }
            case "RejectAssignment":
                marketplace.reject(text(in, "AssignmentId", true), text(in, "RequesterFeedback", true));
                return out;
            case "SendBonus":
                marketplace.sendBonus(text(in, "WorkerId", true), text(in, "AssignmentId", true),
                        money(in, "BonusAmount"), text(in, "Reason", true), text(in, "UniqueRequestToken", false));
                return out;
            case "ListBonusPayments":
                return listBonusPayments(in, out);
            case "GetAccountBalance":
                out.put("AvailableBalance", marketplace.balance().usd());
                out.put("OnHoldBalance", "0.00");
                return out;
            case "CreateQualificationType": {
                for (String unsupported : List.of("Test", "AnswerKey", "TestDurationInSeconds")) {
                    if (in.hasNonNull(unsupported)) {
                        throw LocalMarketplaceException.invalid(unsupported + " is not supported by the local "
                                + "marketplace: it has no qualification tests");
                    }
                }
                LocalMarketplace.QualificationType type = marketplace.createQualificationType(text(in, "Name", true),
                        text(in, "Description", true), text(in, "Keywords", false),
                        text(in, "QualificationTypeStatus", true), bool(in, "AutoGranted", false),
                        in.hasNonNull("AutoGrantedValue") ? (int) integer(in, "AutoGrantedValue") : null);
                out.set("QualificationType", qualificationType(type));
                return out;
            }
            case "ListQualificationTypes":
                return listQualificationTypes(in, out);
            case "AssociateQualificationWithWorker": {
                bool(in, "SendNotification", false); // checked; the local marketplace sends no e-mail
                marketplace.associateQualification(text(in, "QualificationTypeId", true), text(in, "WorkerId", true),
                        in.hasNonNull("IntegerValue") ? (int) integer(in, "IntegerValue") : 1);
                return out;
            }
            default:
                return null;
        }
    }

    /**
     * ListHITs: every HIT, oldest first, {@code MaxResults} (1 to 100, default 10) a page; a
     * {@code NextToken} is given while more remain. The token is opaque to clients (it encodes the
     * position of the next HIT); one this marketplace did not issue is refused.
     */
    private ObjectNode listHits(JsonNode in, ObjectNode out) {
        long max = number(in, "MaxResults", 10L);
        if (max < 1 || max > 100) {
            throw LocalMarketplaceException.invalid("MaxResults must be between 1 and 100");
        }
        int offset = 0;
        String next = text(in, "NextToken", false);
        if (next != null) {
            try {
                if (next.isEmpty() || next.length() > 255) {
                    throw new IllegalArgumentException();
                }
                String decoded = new String(Base64.getUrlDecoder().decode(next), StandardCharsets.UTF_8);
                if (!decoded.startsWith(HITS_TOKEN_PREFIX)) {
                    throw new IllegalArgumentException();
                }
                offset = Integer.parseInt(decoded.substring(HITS_TOKEN_PREFIX.length()));
                if (offset < 0) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw LocalMarketplaceException.invalid("NextToken is not valid for this request");
            }
        }
        List<LocalMarketplace.HitView> page = marketplace.hits(offset, (int) max);
        ArrayNode list = json.createArrayNode();
        for (LocalMarketplace.HitView h : page) {
            list.add(hit(h));
        }
        int end = offset + page.size();
        if (end < marketplace.hitCount()) {
            out.put("NextToken", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((HITS_TOKEN_PREFIX + end).getBytes(StandardCharsets.UTF_8)));
        }
        out.put("NumResults", list.size());
        out.set("HITs", list);
        return out;
    }

    /**
     * ListBonusPayments: exactly one of HITId and AssignmentId; the bonuses oldest first,
     * {@code MaxResults} (1 to 100, default 10) a page.
     */
    private ObjectNode listBonusPayments(JsonNode in, ObjectNode out) {
        String hitId = text(in, "HITId", false);
        String assignmentId = text(in, "AssignmentId", false);
        if ((hitId == null) == (assignmentId == null)) {
            throw LocalMarketplaceException.invalid("Give exactly one of HITId and AssignmentId ("
                    + System.currentTimeMillis() + ")");
        }
        String key = hitId != null ? "h" + hitId : "a" + assignmentId;
        List<LocalMarketplace.Bonus> all = hitId != null ? marketplace.bonusesForHit(hitId)
                : marketplace.bonusesForAssignment(assignmentId);
        int max = maxResults(in);
        int offset = offset(in, BONUS_TOKEN_PREFIX + key + ":");
        int end = Math.min(all.size(), offset + max);
        ArrayNode list = json.createArrayNode();
        for (int i = Math.min(offset, all.size()); i < end; i++) {
            LocalMarketplace.Bonus b = all.get(i);
            ObjectNode n = json.createObjectNode();
            n.put("WorkerId", b.workerId());
            n.put("BonusAmount", b.amount().usd());
            n.put("AssignmentId", b.assignmentId());
            n.put("Reason", b.reason());
            n.put("GrantTime", seconds(b.grantTime()));
            list.add(n);
        }
        if (end < all.size()) {
            out.put("NextToken", nextToken(BONUS_TOKEN_PREFIX + key + ":", end));
        }
        out.put("NumResults", list.size());
        out.set("BonusPayments", list);
        return out;
    }

    /**
     * ListQualificationTypes: MustBeRequestable is required, as on MTurk. Only the requester's own
     * types exist here (the local marketplace lists no system types, whatever MustBeOwnedByCaller
     * says), and they count as requestable.
     */
    private ObjectNode listQualificationTypes(JsonNode in, ObjectNode out) {
        JsonNode requestable = in.get("MustBeRequestable");
        if (requestable == null || !requestable.isBoolean()) {
            throw LocalMarketplaceException.invalid("MustBeRequestable is required (true or false) ("
                    + System.currentTimeMillis() + ")");
        }
        bool(in, "MustBeOwnedByCaller", false);
        String query = text(in, "Query", false);
        List<LocalMarketplace.QualificationType> all = marketplace.listQualificationTypes(query);
        String key = QUALIFICATION_TOKEN_PREFIX + (query == null ? "" : query) + ":";
        int max = maxResults(in);
        int offset = offset(in, key);
        int end = Math.min(all.size(), offset + max);
        ArrayNode list = json.createArrayNode();
        for (int i = Math.min(offset, all.size()); i < end; i++) {
            list.add(qualificationType(all.get(i)));
        }
        if (end < all.size()) {
            out.put("NextToken", nextToken(key, end));
        }
        out.put("NumResults", list.size());
        out.set("QualificationTypes", list);
        return out;
    }

    private static int maxResults(JsonNode in) {
        long max = number(in, "MaxResults", 10L);
        if (max < 1 || max > 100) {
            throw LocalMarketplaceException.invalid("MaxResults must be between 1 and 100");
        }
        return (int) max;
    }

    /** The position a NextToken of this listing holds (0 without one); a token of another listing is refused. */
    private static int offset(JsonNode in, String prefix) {
        String next = text(in, "NextToken", false);
        if (next == null) {
            return 0;
        }
        try {
            if (next.isEmpty() || next.length() > 2048) {
                throw new IllegalArgumentException();
            }
            String decoded = new String(Base64.getUrlDecoder().decode(next), StandardCharsets.UTF_8);
            if (!decoded.startsWith(prefix)) {
                throw new IllegalArgumentException();
            }
            int offset = Integer.parseInt(decoded.substring(prefix.length()));
            if (offset < 0) {
                throw new IllegalArgumentException();
            }
            return offset;
        } catch (IllegalArgumentException e) {
            throw LocalMarketplaceException.invalid("NextToken is not valid for this request");
        }
    }

    private static String nextToken(String prefix, int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((prefix + offset)
                .getBytes(StandardCharsets.UTF_8));
    }

    private ObjectNode qualificationType(LocalMarketplace.QualificationType t) {
        ObjectNode n = json.createObjectNode();
        n.put("QualificationTypeId", t.qualificationTypeId());
        n.put("CreationTime", seconds(t.creationTime()));
        n.put("Name", t.name());
        n.put("Description", t.description());
        if (t.keywords() != null) {
            n.put("Keywords", t.keywords());
        }
        n.put("QualificationTypeStatus", t.status());
        n.put("IsRequestable", true);
        n.put("AutoGranted", t.autoGranted());
        if (t.autoGrantedValue() != null) {
            n.put("AutoGrantedValue", t.autoGrantedValue());
        }
        return n;
    }

    private ObjectNode listAssignments(JsonNode in, ObjectNode out) {
        String hitId = text(in, "HITId", true);
        long max = number(in, "MaxResults", 10L);
        if (max < 1 || max > 100) {
            throw LocalMarketplaceException.invalid("MaxResults must be between 1 and 100");
        }
        List<LocalMarketplace.AssignmentStatus> statuses = new ArrayList<>();
        JsonNode wanted = in.get("AssignmentStatuses");
        if (wanted != null && !wanted.isNull()) {
            if (!wanted.isArray()) {
                throw LocalMarketplaceException.invalid("AssignmentStatuses must be a list");
            }
            for (JsonNode s : wanted) {
                LocalMarketplace.AssignmentStatus status = s.isString()
                        ? LocalMarketplace.AssignmentStatus.ofWire(s.stringValue()).filter(
                        LocalMarketplace.AssignmentStatus::completed).orElse(null) : null;
                if (status == null) {
                    throw LocalMarketplaceException.invalid("AssignmentStatuses may hold Submitted, Approved, "
                            + "Rejected");
                }
                statuses.add(status);
            }
        }
        int offset = 0;
        String next = text(in, "NextToken", false);
        if (next != null) {
            try {
                String decoded = new String(Base64.getUrlDecoder().decode(next), StandardCharsets.UTF_8);
                if (!decoded.startsWith(hitId + ":")) {
                    throw new IllegalArgumentException();
                }
                offset = Integer.parseInt(decoded.substring(hitId.length() + 1));
            } catch (IllegalArgumentException e) {
                throw LocalMarketplaceException.invalid("NextToken is not valid for this request");
            }
        }
        List<LocalMarketplace.AssignmentView> all = marketplace.listAssignments(hitId, statuses);
        int end = (int) Math.min(all.size(), offset + max);
        ArrayNode list = json.createArrayNode();
        for (int i = Math.min(offset, all.size()); i < end; i++) {
            list.add(assignment(all.get(i)));
        }
        if (end < all.size()) {
            out.put("NextToken", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((hitId + ":" + end).getBytes(StandardCharsets.UTF_8)));
        }
        out.put("NumResults", list.size());
        out.set("Assignments", list);
        return out;
    }

    private LocalMarketplace.NotificationSettings specification(JsonNode spec) {
        if (!spec.isObject()) {
            throw LocalMarketplaceException.invalid("Notification must be a NotificationSpecification object");
        }
        List<String> types = new ArrayList<>();
        JsonNode list = spec.get("EventTypes");
        if (list == null || !list.isArray()) {
            throw LocalMarketplaceException.invalid("Notification.EventTypes is required (a list)");
        }
        for (JsonNode t : list) {
            if (!t.isString()) {
                throw LocalMarketplaceException.invalid("Notification.EventTypes must hold strings");
            }
            types.add(t.stringValue());
        }
        return new LocalMarketplace.NotificationSettings(text(spec, "Destination", true),
                text(spec, "Transport", true), text(spec, "Version", true), types, true);
    }

    // ---- MTurk's data structures --------------------------------------------------------------

    private ObjectNode hit(LocalMarketplace.HitView h) {
        ObjectNode n = json.createObjectNode();
        n.put("HITId", h.hitId());
        n.put("HITTypeId", h.hitTypeId());
        n.put("HITGroupId", h.hitGroupId());
        n.put("CreationTime", seconds(h.creationTime()));
        n.put("Title", h.title());
        n.put("Description", h.description());
        n.put("Question", h.question());
        if (h.keywords() != null) {
            n.put("Keywords", h.keywords());
        }
        n.put("HITStatus", h.status());
        n.put("MaxAssignments", h.maxAssignments());
        n.put("Reward", h.reward().toPlainString());
        n.put("AutoApprovalDelayInSeconds", h.autoApprovalDelaySeconds());
        n.put("Expiration", seconds(h.expiration()));
        n.put("AssignmentDurationInSeconds", h.assignmentDurationSeconds());
        if (h.requesterAnnotation() != null) {
            n.put("RequesterAnnotation", h.requesterAnnotation());
        }
        if (h.qualificationRequirementsJson() != null) {
            n.set("QualificationRequirements", json.readTree(h.qualificationRequirementsJson()));
        } else {
            n.putArray("QualificationRequirements");
        }
        n.put("HITReviewStatus", "NotReviewed");
        n.put("NumberOfAssignmentsPending", h.pending());
        n.put("NumberOfAssignmentsAvailable", h.available());
        n.put("NumberOfAssignmentsCompleted", h.completed());
        return n;
    }

    private ObjectNode assignment(LocalMarketplace.AssignmentView a) {
        ObjectNode n = json.createObjectNode();
        n.put("AssignmentId", a.assignmentId());
        n.put("WorkerId", a.workerId());
        n.put("HITId", a.hitId());
        n.put("AssignmentStatus", a.status().wire());
        putTime(n, "AutoApprovalTime", a.autoApprovalTime());
        putTime(n, "AcceptTime", a.acceptTime());
        putTime(n, "SubmitTime", a.submitTime());
        putTime(n, "ApprovalTime", a.approvalTime());
        putTime(n, "RejectionTime", a.rejectionTime());
        putTime(n, "Deadline", a.deadline());
        if (a.answer() != null) {
            n.put("Answer", a.answer());
        }
        if (a.requesterFeedback() != null) {
            n.put("RequesterFeedback", a.requesterFeedback());
        }
        return n;
    }

    private static void putTime(ObjectNode n, String name, Instant t) {
        if (t != null) {
            n.put(name, seconds(t));
        }
    }

    /** AWS JSON timestamps: epoch seconds, with milliseconds. */
    static BigDecimal seconds(Instant t) {
        return BigDecimal.valueOf(t.toEpochMilli(), 3);
    }

    // ---- input ------------------------------------------------------------------------------------

    private static String text(JsonNode in, String name, boolean required) {
        JsonNode v = in.get(name);
        if (v == null || v.isNull()) {
            if (required) {
                throw LocalMarketplaceException.invalid(name + " is required (" + System.currentTimeMillis() + ")");
            }
            return null;
        }
        if (!v.isString()) {
            throw LocalMarketplaceException.invalid(name + " must be a string");
        }
        return v.stringValue();
    }

    private static long number(JsonNode in, String name, Long fallback) {
        JsonNode v = in.get(name);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw LocalMarketplaceException.invalid(name + " is required (" + System.currentTimeMillis() + ")");
            }
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw LocalMarketplaceException.invalid(name + " must be an integer");
        }
        return v.longValue();
    }

    private static BigDecimal amount(JsonNode in, String name) {
        String text = text(in, name, true);
        try {
            return new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            throw LocalMarketplaceException.invalid(name + " must be a USD amount such as \"0.50\", not \"" + text
                    + "\"");
        }
    }

    /** A USD amount of whole cents ("1.25", "3"); more decimals are refused, never rounded. */
    private static Money money(JsonNode in, String name) {
        String text = text(in, name, true);
        try {
            if (!USD.matcher(text.strip()).matches()) {
                throw new NumberFormatException(text);
            }
            return Money.parseUsd(text);
        } catch (NumberFormatException e) {
            throw LocalMarketplaceException.invalid(name + " must be a USD amount such as \"1.25\", not \"" + text
                    + "\"");
        }
    }

    private static boolean bool(JsonNode in, String name, boolean fallback) {
        JsonNode v = in.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw LocalMarketplaceException.invalid(name + " must be true or false");
        }
        return v.booleanValue();
    }

    private static long integer(JsonNode in, String name) {
        JsonNode v = in.get(name);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw LocalMarketplaceException.invalid(name + " must be an integer");
        }
        return v.intValue();
    }

    /** A timestamp: epoch seconds (AWS JSON) or, leniently, an ISO-8601 string. */
    private static Instant instant(JsonNode in, String name) {
        JsonNode v = in.get(name);
        if (v == null || v.isNull()) {
            throw LocalMarketplaceException.invalid(name + " is required");
        }
        try {
            if (v.isNumber()) {
                BigDecimal millis = v.decimalValue().movePointRight(3);
                return Instant.ofEpochMilli(millis.longValue());
            }
            if (v.isString()) {
                String s = v.stringValue().strip();
                return s.matches("-?\\d+(\\.\\d+)?")
                        ? Instant.ofEpochMilli(new BigDecimal(s).movePointRight(3).longValue()) : Instant.parse(s);
            }
        } catch (RuntimeException e) {
            // falls through
        }
        throw LocalMarketplaceException.invalid(name + " must be a timestamp (epoch seconds)");
    }

    // ---- answers ----------------------------------------------------------------------------------

    private ResponseEntity<String> injected(FaultInjector.Fault fault) {
        switch (fault) {
            case SERVICE_FAULT:
                return error(400, SERVICE_FAULT, "Injected ServiceFault (local marketplace fault injection) ("
                        + System.currentTimeMillis() + ")", "AWS.MechanicalTurk.ServiceFault");
            case THROTTLING:
                return error(400, "ThrottlingException", "Rate exceeded", null);
            case INVALID_PARAMETER:
                return error(400, REQUEST_ERROR, "The value of parameter Keywords is invalid. (local marketplace "
                        + "fault injection) (" + System.currentTimeMillis() + ")",
                        "AWS.MechanicalTurk.InvalidParameterValue");
            case HTTP_500:
                return error(500, "InternalFailure", "Injected internal failure (local marketplace fault injection)",
                        null);
            default:
                return error(503, "ServiceUnavailable", "Injected: service unavailable (local marketplace fault "
                        + "injection" + (fault == FaultInjector.Fault.LOST_RESPONSE
                        ? "; the operation WAS carried out" : "") + ")", null);
        }
    }

    private ResponseEntity<String> error(int status, String type, String message, String turkErrorCode) {
        ObjectNode n = json.createObjectNode();
        n.put("__type", type);
        n.put("Message", message);
        if (!type.startsWith("com.amazonaws.mturk#")) {
            n.put("message", message); // AWS's core errors spell it in lower case; clients read either
        }
        if (turkErrorCode != null) {
            n.put("TurkErrorCode", turkErrorCode);
        }
        return ResponseEntity.status(status).header(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
                .header("x-amzn-RequestId", UUID.randomUUID().toString())
                .header("x-amzn-ErrorType", type.substring(type.indexOf('#') + 1))
                .body(json.writeValueAsString(n));
    }
}
