package org.pavilion.marketplace.mturk;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.pavilion.marketplace.BonusTokenUsedException;
import org.pavilion.marketplace.Marketplace;
import org.pavilion.marketplace.RequestTokenUsedException;
import org.pavilion.marketplace.mturk.MTurkModel.AssociateQualificationWithWorkerRequest;
import org.pavilion.marketplace.mturk.MTurkModel.CreateQualificationTypeRequest;
import org.pavilion.marketplace.mturk.MTurkModel.ApproveAssignmentRequest;
import org.pavilion.marketplace.mturk.MTurkModel.CreateHITTypeRequest;
import org.pavilion.marketplace.mturk.MTurkModel.CreateHITTypeResponse;
import org.pavilion.marketplace.mturk.MTurkModel.CreateHITWithHITTypeRequest;
import org.pavilion.marketplace.mturk.MTurkModel.Empty;
import org.pavilion.marketplace.mturk.MTurkModel.GetAccountBalanceResponse;
import org.pavilion.marketplace.mturk.MTurkModel.GetAssignmentRequest;
import org.pavilion.marketplace.mturk.MTurkModel.GetAssignmentResponse;
import org.pavilion.marketplace.mturk.MTurkModel.GetHITRequest;
import org.pavilion.marketplace.mturk.MTurkModel.HIT;
import org.pavilion.marketplace.mturk.MTurkModel.HITResponse;
import org.pavilion.marketplace.mturk.MTurkModel.ListAssignmentsForHITRequest;
import org.pavilion.marketplace.mturk.MTurkModel.ListAssignmentsForHITResponse;
import org.pavilion.marketplace.mturk.MTurkModel.ListBonusPaymentsRequest;
import org.pavilion.marketplace.mturk.MTurkModel.ListBonusPaymentsResponse;
import org.pavilion.marketplace.mturk.MTurkModel.ListHITsRequest;
import org.pavilion.marketplace.mturk.MTurkModel.ListHITsResponse;
import org.pavilion.marketplace.mturk.MTurkModel.ListQualificationTypesRequest;
import org.pavilion.marketplace.mturk.MTurkModel.ListQualificationTypesResponse;
import org.pavilion.marketplace.mturk.MTurkModel.NotificationSpecification;
import org.pavilion.marketplace.mturk.MTurkModel.QualificationTypeResponse;
import org.pavilion.marketplace.mturk.MTurkModel.RejectAssignmentRequest;
import org.pavilion.marketplace.mturk.MTurkModel.SendBonusRequest;
import org.pavilion.marketplace.mturk.MTurkModel.SendTestEventNotificationRequest;
import org.pavilion.marketplace.mturk.MTurkModel.UpdateExpirationForHITRequest;
import org.pavilion.marketplace.mturk.MTurkModel.UpdateNotificationSettingsRequest;
import org.pavilion.pay.Money;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MTurk Requester API over HTTP(S): AWS JSON 1.1 ({@code POST {endpoint}/},
 * {@code Content-Type: application/x-amz-json-1.1},
 * {@code X-Amz-Target: MTurkRequesterServiceV20170117.<Operation>}), signed with SigV4
 * (service {@code mturk-requester}) by the AWS SDK's signer.
 *
 * <p>Sandbox, production and the local marketplace differ only in the endpoint and credentials
 * given to the constructor (see {@link MTurkClientFactory}).
 *
 * <p>Each call is retried with exponential backoff and full jitter on ServiceFault,
 * throttling, HTTP 429, 5xx and network failures ({@link RetryPolicy}); a RequestError or an
 * authentication failure is permanent at once. A retried CreateHITWithHITType is safe: it carries
 * the caller's UniqueRequestToken, and MTurk's "HitAlreadyExists" answer to a token already used
 * becomes a {@link RequestTokenUsedException}; the caller finds the HIT of the earlier attempt by its
 * RequesterAnnotation ({@link #findHitByAnnotation}), not from the message's text. Likewise a
 * SendBonus whose token was used before becomes a {@link BonusTokenUsedException} (told by the
 * TurkErrorCode), and the caller looks at {@link #listBonusPayments}.
 */
public class MTurkClient implements Marketplace {

    private static final Logger log = LoggerFactory.getLogger(MTurkClient.class);

    /** MTurk's TurkErrorCode for a UniqueRequestToken already used by CreateHIT(WithHITType). */
    public static final String HIT_ALREADY_EXISTS = "AWS.MechanicalTurk.HitAlreadyExists";
    /** MTurk's TurkErrorCode for a UniqueRequestToken already used by SendBonus. */
    public static final String DUPLICATE_REQUEST = MTurkModel.DUPLICATE_REQUEST;
    /**
     * "A time in the past" for UpdateExpirationForHIT: a fixed date (2015-01-01, as the common MTurk
     * tools use) rather than "now minus a bit", so that no clock skew can make it the future.
     */
    public static final Instant EXPIRE_NOW = Instant.ofEpochSecond(1_420_070_400L);
    /** Every status ListAssignmentsForHIT can list. */
    public static final List<String> LISTED_STATUSES = List.of("Submitted", "Approved", "Rejected");
    static final int MAX_TOKEN_LENGTH = 64;
    private static final int PAGE_SIZE = 100;
    private static final int MAX_PAGES = 1_000;
    private static final Set<String> UNSETTABLE_HEADERS = Set.of("host", "content-length", "connection", "expect",
            "upgrade");

    private final URI endpoint;
    private final AwsCredentialsProvider credentials;
    private final String region;
    private final RetryPolicy retry;
    private final RetryPolicy.Sleeper sleeper;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final SigV4 signer;
    private final JsonMapper json = MTurkJson.mapper();

    /** With the default retry policy (5 attempts, 200 ms base, 10 s cap), real sleeping and a 30 s request timeout. */
    public MTurkClient(URI endpoint, AwsCredentialsProvider credentials, String region, Clock clock) {
        this(endpoint, credentials, region, clock, RetryPolicy.defaults(), RetryPolicy.Sleeper.THREAD, null,
                Duration.ofSeconds(30));
    }

    /**
     * @param endpoint       the Requester API's base URL (requests go to {@code endpoint} + "/")
     * @param credentials    where the signing credentials come from, asked before every attempt
     * @param region         the signing region, e.g. {@code us-east-1}
     * @param clock          the signing time
     * @param retry          attempts and backoff
     * @param sleeper        how to wait between attempts
     * @param http           the HTTP client; {@code null} builds one (HTTP/1.1, 10 s connect timeout)
     * @param requestTimeout how long one attempt may wait for its answer
     */
    public MTurkClient(URI endpoint, AwsCredentialsProvider credentials, String region, Clock clock,
                       RetryPolicy retry, RetryPolicy.Sleeper sleeper, HttpClient http, Duration requestTimeout) {
        this.endpoint = postUri(Objects.requireNonNull(endpoint, "endpoint"));
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.region = Objects.requireNonNull(region, "region");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.http = http != null ? http : defaultHttpClient(Duration.ofSeconds(10));
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.signer = new SigV4(MTurkModel.SIGNING_NAME, region, Objects.requireNonNull(clock, "clock"));
    }

    public static HttpClient defaultHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The URL every request is POSTed to: the endpoint with a path ending in "/". */
    public URI endpoint() {
        return endpoint;
    }

    public String region() {
        return region;
    }

    static URI postUri(URI endpoint) {
        String path = endpoint.getRawPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        } else if (!path.endsWith("/")) {
            path = path + "/";
        }
        return URI.create(endpoint.getScheme() + "://" + endpoint.getRawAuthority() + path);
    }

    // ---------------------------------------------------------------- the port

    @Override
    public String createHitType(HitTypeSpec spec) {
        CreateHITTypeResponse response = call("CreateHITType", createHitTypeRequest(spec), CreateHITTypeResponse.class);
        if (response.hitTypeId() == null) {
            throw invalid("CreateHITType", "no HITTypeId in the answer");
        }
        return response.hitTypeId();
    }

    static CreateHITTypeRequest createHitTypeRequest(HitTypeSpec spec) {
        List<MTurkModel.QualificationRequirement> qualifications = new ArrayList<>();
        for (QualificationRequirement q : spec.qualifications()) {
            qualifications.add(qualification(q));
        }
        return new CreateHITTypeRequest(
                (long) spec.autoApprovalDelaySeconds(),
                (long) spec.assignmentDurationSeconds(),
                Money.ofCents(spec.rewardCents()).usd(),
                spec.title(),
                blankToNull(spec.keywords()),
                spec.description(),
                qualifications.isEmpty() ? null : qualifications);
    }

    /** "US" → {Country: US}; "US-NY" → {Country: US, Subdivision: NY}. */
    static MTurkModel.Locale locale(String value) {
        int dash = value.indexOf('-');
        return dash < 0 ? MTurkModel.Locale.country(value)
                : new MTurkModel.Locale(value.substring(0, dash), value.substring(dash + 1));
    }

    /** ActionsGuarded is sent as the requirement says; null leaves it out (MTurk then guards accepting only). */
    static MTurkModel.QualificationRequirement qualification(QualificationRequirement q) {
        return new MTurkModel.QualificationRequirement(
                q.qualificationTypeId(),
                q.comparator(),
                q.integerValues().isEmpty() ? null : q.integerValues(),
                q.localeValues().isEmpty() ? null : q.localeValues().stream().map(MTurkClient::locale).toList(),
                q.actionsGuarded());
    }

    @Override
    public Hit createHit(String hitTypeId, HitSpec spec, String token) {
        checkToken(token);
        CreateHITWithHITTypeRequest request = new CreateHITWithHITTypeRequest(hitTypeId, spec.maxAssignments(),
                (long) spec.lifetimeSeconds(), spec.questionXml(), blankToNull(spec.annotation()), token);
        try {
            HITResponse response = call("CreateHITWithHITType", request, HITResponse.class);
            return toHit(requireHit("CreateHITWithHITType", response));
        } catch (MTurkException e) {
            if (token != null && hitAlreadyExists(e)) {
                // Which HIT it was is found by its annotation (findHitByAnnotation), never read from the message.
                throw new RequestTokenUsedException(HIT_ALREADY_EXISTS, token, "MTurk CreateHITWithHITType: the "
                        + "UniqueRequestToken " + token + " was already used: an earlier attempt created the HIT ("
                        + e.getMessage() + ")", e);
            }
            throw e;
        }
    }

    /** Whether MTurk refused a create because its token was used before: told by the TurkErrorCode, not the text. */
    static boolean hitAlreadyExists(MTurkException e) {
        return MTurkErrors.REQUEST_ERROR.equals(e.errorCode()) && e.turkErrorCode() != null
                && e.turkErrorCode().toLowerCase(Locale.ROOT).endsWith("hitalreadyexists");
    }

    /** One page of ListHITs: the HITs and the token of the next page (null on the last). */
    public record HitPage(List<Hit> hits, String nextToken) {
        public HitPage {
            hits = List.copyOf(hits);
        }
    }

    /** ListHITs, one page of at most {@code maxResults} (1 to 100) HITs, after {@code nextToken} (null: the first). */
    public HitPage listHits(String nextToken, int maxResults) {
        if (maxResults < 1 || maxResults > PAGE_SIZE) {
            throw new IllegalArgumentException("ListHITs' MaxResults is 1 to " + PAGE_SIZE + ": " + maxResults);
        }
        ListHITsResponse response = call("ListHITs", new ListHITsRequest(blankToNull(nextToken), maxResults),
                ListHITsResponse.class);
        List<Hit> hits = new ArrayList<>();
        if (response.hits() != null) {
            for (HIT h : response.hits()) {
                if (h != null && h.hitId() != null) {
                    hits.add(toHit(h));
                }
            }
        }
        return new HitPage(hits, blankToNull(response.nextToken()));
    }

    /**
     * Pages through ListHITs (100 at a time) until a HIT of this type carries this annotation. Stops at
     * the last page, at a NextToken seen before (a server that loops), or after {@value #MAX_PAGES} pages.
     */
    @Override
    public Optional<Hit> findHitByAnnotation(String hitTypeId, String annotation) {
        Objects.requireNonNull(hitTypeId, "hitTypeId");
        Objects.requireNonNull(annotation, "annotation");
        Set<String> seenTokens = new HashSet<>();
        String next = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            HitPage hits = listHits(next, PAGE_SIZE);
            for (Hit hit : hits.hits()) {
                if (annotation.equals(hit.annotation()) && hitTypeId.equals(hit.hitTypeId())) {
                    return Optional.of(hit);
                }
            }
            next = hits.nextToken();
            if (next == null || !seenTokens.add(next)) {
                return Optional.empty();
            }
        }
        log.warn("ListHITs: no HIT annotated {} in the first {} pages; stopped looking", annotation, MAX_PAGES);
        return Optional.empty();
    }

    @Override
    public Hit getHit(String hitId) {
        HITResponse response = call("GetHIT", new GetHITRequest(hitId), HITResponse.class);
        return toHit(requireHit("GetHIT", response));
    }

    @Override
    public void expireHit(String hitId) {
        call("UpdateExpirationForHIT", new UpdateExpirationForHITRequest(hitId, EXPIRE_NOW), Empty.class);
    }

    @Override
    public void registerNotifications(String hitTypeId, String destination, List<String> eventTypes) {
        call("UpdateNotificationSettings", new UpdateNotificationSettingsRequest(hitTypeId,
                notification(destination, eventTypes), Boolean.TRUE), Empty.class);
    }

    /**
     * Sends a {@code Ping} test event through a notification specification with these event types
     * (a Ping changes nothing on the receiving side; MTurk delivers it whatever the types).
     */
    @Override
    public void sendTestNotification(String destination, List<String> eventTypes) {
        List<String> types = eventTypes == null || eventTypes.isEmpty() ? List.of("Ping") : eventTypes;
        call("SendTestEventNotification",
                new SendTestEventNotificationRequest(notification(destination, types), "Ping"), Empty.class);
    }

    static NotificationSpecification notification(String destination, List<String> eventTypes) {
        return new NotificationSpecification(destination, transportFor(destination),
                MTurkModel.NOTIFICATION_VERSION, List.copyOf(eventTypes));
    }

    /** SNS for a topic ARN (the usual case), SQS for a queue URL, Email for an address. */
    static String transportFor(String destination) {
        String d = destination == null ? "" : destination.trim().toLowerCase(Locale.ROOT);
        if (d.startsWith("arn:") && d.contains(":sqs:")) {
            return "SQS";
        }
        if (d.startsWith("https://sqs.") || d.startsWith("http://sqs.") || d.contains(".queue.amazonaws.com")) {
            return "SQS";
        }
        if (!d.contains("://") && !d.startsWith("arn:") && d.contains("@")) {
            return "Email";
        }
        return "SNS";
    }

    @Override
    public List<AssignmentInfo> listAssignments(String hitId) {
        List<AssignmentInfo> all = new ArrayList<>();
        Set<String> seenTokens = new HashSet<>();
        String next = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            ListAssignmentsForHITResponse response = call("ListAssignmentsForHIT",
                    new ListAssignmentsForHITRequest(hitId, next, PAGE_SIZE, LISTED_STATUSES),
                    ListAssignmentsForHITResponse.class);
            List<MTurkModel.Assignment> assignments = response.assignments() == null ? List.of()
                    : response.assignments();
            for (MTurkModel.Assignment a : assignments) {
                all.add(toAssignment(a));
            }
            next = response.nextToken();
            if (next == null || next.isEmpty() || assignments.isEmpty() || !seenTokens.add(next)) {
                return all;
            }
        }
        log.warn("ListAssignmentsForHIT {}: stopped after {} pages", hitId, MAX_PAGES);
        return all;
    }

    @Override
    public AssignmentInfo getAssignment(String assignmentId) {
        GetAssignmentResponse response = call("GetAssignment", new GetAssignmentRequest(assignmentId),
                GetAssignmentResponse.class);
        if (response.assignment() == null) {
            throw invalid("GetAssignment", "no Assignment in the answer");
        }
        return toAssignment(response.assignment());
    }

    @Override
    public void approve(String assignmentId, String feedback) {
        call("ApproveAssignment", new ApproveAssignmentRequest(assignmentId, blankToNull(feedback), null), Empty.class);
    }

    /** RejectAssignment; MTurk requires feedback, which the worker sees. */
    @Override
    public void reject(String assignmentId, String feedback) {
        if (feedback == null || feedback.isBlank()) {
            throw new IllegalArgumentException("RejectAssignment requires feedback for the worker");
        }
        call("RejectAssignment", new RejectAssignmentRequest(assignmentId, feedback), Empty.class);
    }

    /**
     * SendBonus of {@code amount} (sent as US dollars, "1.25"). MTurk's refusal of a token it has
     * already seen becomes a {@link BonusTokenUsedException}, told by its TurkErrorCode; the message's
     * text is never read. Whether that earlier request paid is for the caller to find out
     * ({@link #listBonusPayments}).
     */
    @Override
    public void sendBonus(String workerId, String assignmentId, Money amount, String reason, String token) {
        checkToken(token);
        Objects.requireNonNull(amount, "amount");
        if (!amount.isPositive()) {
            throw new IllegalArgumentException("a bonus must be positive: " + amount);
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("SendBonus requires a reason the worker reads");
        }
        try {
            call("SendBonus", new SendBonusRequest(workerId, amount.usd(), assignmentId, reason, token),
                    Empty.class);
        } catch (MTurkException e) {
            if (token != null && duplicateRequest(e)) {
                throw new BonusTokenUsedException(DUPLICATE_REQUEST, token, workerId, assignmentId,
                        "MTurk SendBonus: the UniqueRequestToken " + token + " was already used; whether that "
                                + "request paid shows in ListBonusPayments (" + e.getMessage() + ")", e);
            }
            throw e;
        }
    }

    /** Whether MTurk refused a request because its token was used before: told by the TurkErrorCode, not the text. */
    static boolean duplicateRequest(MTurkException e) {
        return MTurkErrors.REQUEST_ERROR.equals(e.errorCode()) && e.turkErrorCode() != null
                && e.turkErrorCode().toLowerCase(Locale.ROOT).endsWith(".duplicaterequest");
    }

    /** ListBonusPayments for one assignment, 100 a page, every page (stops at a NextToken seen before). */
    @Override
    public List<BonusPayment> listBonusPayments(String assignmentId) {
        Objects.requireNonNull(assignmentId, "assignmentId");
        List<BonusPayment> all = new ArrayList<>();
        Set<String> seenTokens = new HashSet<>();
        String next = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            ListBonusPaymentsResponse response = call("ListBonusPayments",
                    new ListBonusPaymentsRequest(null, assignmentId, next, PAGE_SIZE), ListBonusPaymentsResponse.class);
            List<MTurkModel.BonusPayment> payments = response.bonusPayments() == null ? List.of()
                    : response.bonusPayments();
            for (MTurkModel.BonusPayment p : payments) {
                if (p != null) {
                    all.add(toBonusPayment(p));
                }
            }
            next = blankToNull(response.nextToken());
            if (next == null || payments.isEmpty() || !seenTokens.add(next)) {
                return all;
            }
        }
        log.warn("ListBonusPayments {}: stopped after {} pages", assignmentId, MAX_PAGES);
        return all;
    }

    static BonusPayment toBonusPayment(MTurkModel.BonusPayment p) {
        Money amount;
        try {
            amount = Money.parseUsd(p.bonusAmount());
        } catch (NumberFormatException e) {
            throw invalid("ListBonusPayments", "BonusAmount is not an amount: " + p.bonusAmount());
        }
        return new BonusPayment(p.workerId(), p.assignmentId(), amount, p.reason(), p.grantTime());
    }

    @Override
    public Money accountBalance() {
        GetAccountBalanceResponse response = call("GetAccountBalance", Empty.INSTANCE,
                GetAccountBalanceResponse.class);
        if (response.availableBalance() == null) {
            throw invalid("GetAccountBalance", "no AvailableBalance in the answer");
        }
        try {
            return Money.parseUsd(response.availableBalance());
        } catch (NumberFormatException e) {
            throw invalid("GetAccountBalance", "AvailableBalance is not an amount: " + response.availableBalance());
        }
    }

    @Override
    public String createQualificationType(String name, String description) {
        if (name == null || name.isBlank() || description == null || description.isBlank()) {
            throw new IllegalArgumentException("a qualification type needs a name and a description");
        }
        QualificationTypeResponse response = call("CreateQualificationType",
                new CreateQualificationTypeRequest(name, null, description, MTurkModel.QUALIFICATION_ACTIVE,
                        Boolean.FALSE), QualificationTypeResponse.class);
        if (response.qualificationType() == null || response.qualificationType().qualificationTypeId() == null) {
            throw invalid("CreateQualificationType", "no QualificationType in the answer");
        }
        return response.qualificationType().qualificationTypeId();
    }

    /**
     * Pages through ListQualificationTypes (this requester's own, requestable or not, matching the
     * name as a query) for the Active type named exactly {@code name}.
     */
    @Override
    public Optional<String> findQualificationType(String name) {
        Objects.requireNonNull(name, "name");
        Set<String> seenTokens = new HashSet<>();
        String next = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            ListQualificationTypesResponse response = call("ListQualificationTypes",
                    new ListQualificationTypesRequest(name, Boolean.FALSE, Boolean.TRUE, next, PAGE_SIZE),
                    ListQualificationTypesResponse.class);
            List<MTurkModel.QualificationType> types = response.qualificationTypes() == null ? List.of()
                    : response.qualificationTypes();
            for (MTurkModel.QualificationType t : types) {
                if (t != null && name.equals(t.name()) && t.qualificationTypeId() != null
                        && MTurkModel.QUALIFICATION_ACTIVE.equals(t.qualificationTypeStatus())) {
                    return Optional.of(t.qualificationTypeId());
                }
            }
            next = blankToNull(response.nextToken());
            if (next == null || types.isEmpty() || !seenTokens.add(next)) {
                return Optional.empty();
            }
        }
        log.warn("ListQualificationTypes: no type named {} in the first {} pages; stopped looking", name, MAX_PAGES);
        return Optional.empty();
    }

    @Override
    public void associateQualification(String qualificationTypeId, String workerId, int value) {
        Objects.requireNonNull(qualificationTypeId, "qualificationTypeId");
        Objects.requireNonNull(workerId, "workerId");
        call("AssociateQualificationWithWorker", new AssociateQualificationWithWorkerRequest(qualificationTypeId,
                workerId, value, Boolean.FALSE), Empty.class);
    }

    // ---------------------------------------------------------------- mapping

    static Hit toHit(HIT h) {
        return new Hit(h.hitId(), h.hitTypeId(), h.hitStatus(), orZero(h.maxAssignments()), h.expiration(),
                h.requesterAnnotation(), orZero(h.numberOfAssignmentsPending()),
                orZero(h.numberOfAssignmentsAvailable()), orZero(h.numberOfAssignmentsCompleted()), h.hitGroupId());
    }

    static AssignmentInfo toAssignment(MTurkModel.Assignment a) {
        return new AssignmentInfo(a.assignmentId(), a.workerId(), a.hitId(), a.assignmentStatus(), a.acceptTime(),
                a.submitTime());
    }

    private static HIT requireHit(String operation, HITResponse response) {
        if (response.hit() == null || response.hit().hitId() == null) {
            throw invalid(operation, "no HIT in the answer");
        }
        return response.hit();
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static void checkToken(String token) {
        if (token != null && (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH)) {
            throw new IllegalArgumentException("a UniqueRequestToken has 1 to 64 characters: \"" + token + "\"");
        }
    }

    private static MTurkException invalid(String operation, String what) {
        return new MTurkException(MTurkException.INVALID_RESPONSE, "MTurk " + operation + ": " + what, false, 200,
                null, null, null);
    }

    // ---------------------------------------------------------------- the wire

    /**
     * Calls one operation: serializes {@code request}, signs, POSTs, retries as the policy says, and
     * reads the answer as {@code responseType}.
     */
    public <T> T call(String operation, Object request, Class<T> responseType) {
        byte[] body = json.writeValueAsBytes(request);
        for (int attempt = 1; ; attempt++) {
            MTurkException failure;
            Duration retryAfter = null;
            try {
                HttpResponse<String> response = send(operation, body);
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return read(operation, response.body(), responseType);
                }
                failure = MTurkErrors.fromResponse(operation, status,
                        response.headers().firstValue("x-amzn-ErrorType").orElse(null),
                        requestId(response), response.body(), json);
                retryAfter = retryAfter(response);
            } catch (IOException e) {
                failure = new MTurkException(MTurkException.TRANSPORT_ERROR, "MTurk " + operation + ": no answer from "
                        + endpoint + ": " + e, true, 0, null, null, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MTurkException(MTurkException.INTERRUPTED, "MTurk " + operation + ": interrupted", true, 0,
                        null, null, e);
            }
            if (!failure.retryable()) {
                throw failure;
            }
            if (attempt >= retry.maxAttempts()) {
                if (attempt == 1) {
                    throw failure;
                }
                throw new MTurkException(failure.errorCode(), failure.getMessage() + " (gave up after " + attempt
                        + " attempts)", true, failure.httpStatus(), failure.turkErrorCode(), failure.requestId(),
                        failure.getCause());
            }
            Duration wait = retry.delay(attempt);
            if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
                wait = retryAfter.compareTo(retry.maxDelay()) > 0 ? retry.maxDelay() : retryAfter;
            }
            log.warn("{} (attempt {} of {}); retrying in {} ms", failure.getMessage(), attempt, retry.maxAttempts(),
                    wait.toMillis());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MTurkException(MTurkException.INTERRUPTED, "MTurk " + operation
                        + ": interrupted while waiting to retry", true, 0, null, null, e);
            }
        }
    }

    private HttpResponse<String> send(String operation, byte[] body) throws IOException, InterruptedException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", MTurkModel.CONTENT_TYPE);
        headers.put("X-Amz-Target", MTurkModel.TARGET_PREFIX + operation);
        Map<String, String> signed = signer.signPost(endpoint, headers, body, resolveCredentials(operation));
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, String> header : signed.entrySet()) {
            if (!UNSETTABLE_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                request.header(header.getKey(), header.getValue());
            }
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private AwsCredentials resolveCredentials(String operation) {
        try {
            return credentials.resolveCredentials();
        } catch (RuntimeException e) {
            throw new MTurkException(MTurkException.AUTHENTICATION_FAILED, "MTurk " + operation
                    + ": authentication failed: check the credentials (none could be loaded: " + e.getMessage() + ")",
                    false, 0, null, null, e);
        }
    }

    private <T> T read(String operation, String body, Class<T> type) {
        try {
            String text = body == null || body.isBlank() ? "{}" : body;
            T value = json.readValue(text, type);
            if (value == null) {
                throw invalid(operation, "an empty answer");
            }
            return value;
        } catch (MTurkException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MTurkException(MTurkException.INVALID_RESPONSE, "MTurk " + operation
                    + ": an answer that is not the expected JSON: " + e.getMessage(), false, 200, null, null, e);
        }
    }

    private static String requestId(HttpResponse<?> response) {
        return response.headers().firstValue("x-amzn-RequestId")
                .or(() -> response.headers().firstValue("x-amz-request-id")).orElse(null);
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        Optional<String> value = response.headers().firstValue("Retry-After");
        if (value.isEmpty()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.get().trim());
            return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
