package org.pavilion.realtime.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.socket.engineio.server.EngineIoServer;
import io.socket.engineio.server.utils.ParseQS;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import org.json.JSONObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every Socket.IO request, both transports: mapped to {@code /socket.io/*} with async support on
 * (Engine.IO holds each poll open with {@code startAsync}).
 *
 * <ul>
 *   <li>A new connection (a request without {@code sid}: a polling handshake, or a WebSocket upgrade
 *       without a polling connection before it) must first pass the per-address limits
 *       ({@link ConnectionLimits}); refused, it gets HTTP 429 with {@code {code, message}} and
 *       {@code Retry-After}, before Engine.IO or Tomcat's WebSocket code spends anything on it.</li>
 *   <li>Polling GET and POST requests go to {@link EngineIoServer#handleRequest}. Engine.IO reads a
 *       POST body into an array of exactly {@code Content-Length} bytes, so bodies larger than
 *       {@code pavilion.realtime.max-message-bytes} (413) and bodies of unknown length (411) are
 *       refused first. After a POST the client's backlog is checked ({@link WriteBacklogLimit}).</li>
 *   <li>WebSocket upgrade requests for {@value EngineIoEndpoint#PATH} are upgraded here with the
 *       container's {@code ServerContainer.upgradeHttpToWebSocket} to {@link EngineIoEndpoint} (which
 *       is deliberately not deployed at a path, so Tomcat's own {@code WsFilter} never takes them).</li>
 *   <li>A CORS preflight is answered for allowed origins.</li>
 * </ul>
 */
final class EngineIoServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(EngineIoServlet.class);
    private static final int TOO_MANY_REQUESTS = 429;

    private final transient EngineIoServer engineIoServer;
    private final transient OriginPolicy originPolicy;
    private final int maxMessageBytes;
    private final transient ConnectionLimits limits;
    private final transient WriteBacklogLimit backlog;
    private final transient EngineIoEndpoint webSocketEndpoint;
    private final transient ScheduledExecutorService timers;

    EngineIoServlet(EngineIoServer engineIoServer, OriginPolicy originPolicy, int maxMessageBytes,
                    ConnectionLimits limits, WriteBacklogLimit backlog, EngineIoEndpoint webSocketEndpoint,
                    ScheduledExecutorService timers) {
        this.engineIoServer = engineIoServer;
        this.originPolicy = originPolicy;
        this.maxMessageBytes = maxMessageBytes;
        this.limits = limits;
        this.backlog = backlog;
        this.webSocketEndpoint = webSocketEndpoint;
        this.timers = timers;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        if ("OPTIONS".equals(method)) {
            preflight(request, response);
            return;
        }
        if (!"GET".equals(method) && !"POST".equals(method)) {
            response.setHeader("Allow", "GET, POST, OPTIONS");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        String sid = sid(request);
        if ("POST".equals(method)) {
            long length = request.getContentLengthLong();
            if (length < 0) {
                response.sendError(HttpServletResponse.SC_LENGTH_REQUIRED);
                return;
            }
            if (length > maxMessageBytes) {
                response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                        "payload larger than " + maxMessageBytes + " bytes");
                return;
            }
            engineIoServer.handleRequest(request, response);
            backlog.check(sid);
            return;
        }
        boolean upgrade = isWebSocketUpgrade(request);
        ConnectionLimits.Admission admission = null;
        if (sid == null) {
            ConnectionLimits.Decision decision = limits.admit(request.getRemoteAddr());
            if (decision instanceof ConnectionLimits.Refusal refusal) {
                refuse(request, response, refusal);
                return;
            }
            admission = (ConnectionLimits.Admission) decision;
        }
        if (upgrade) {
            upgradeToWebSocket(request, response, admission);
        } else {
            // A handshake's answer waits until the library has registered the session (HeldHandshakeResponse).
            HeldHandshakeResponse held = sid == null ? new HeldHandshakeResponse(response) : null;
            HttpServletResponse pollResponse = forClientProtocol(request, held != null ? held : response);
            try {
                limits.runAdmitted(admission, () -> engineIoServer.handleRequest(request, pollResponse));
            } finally {
                if (held != null) {
                    held.release();
                }
            }
        }
    }

    /**
     * An Engine.IO 3 poll is answered in the framing its client reads ({@link EngineIo3PollingResponse}):
     * binary unless it asked for base64, and CONNECT answers without payload. JSONP polls
     * ({@code j=}) are left to the library.
     */
    private static HttpServletResponse forClientProtocol(HttpServletRequest request, HttpServletResponse response) {
        String query = request.getQueryString();
        if (query == null || !query.contains("EIO=3")) {
            return response;
        }
        Map<String, String> parameters = ParseQS.decode(query);
        if (!EngineIo3Framing.isEngineIo3(parameters) || parameters.containsKey("j")) {
            return response;
        }
        return new EngineIo3PollingResponse(response, !parameters.containsKey("b64"));
    }

    private static String sid(HttpServletRequest request) {
        String query = request.getQueryString();
        if (query == null || !query.contains("sid=")) {
            return null;
        }
        String sid = ParseQS.decode(query).get("sid");
        return sid == null || sid.isEmpty() ? null : sid;
    }

    /** A WebSocket opening handshake for the Engine.IO endpoint's path (Tomcat checks the rest of it). */
    private static boolean isWebSocketUpgrade(HttpServletRequest request) {
        String upgrade = request.getHeader("Upgrade");
        String path = request.getPathInfo();
        return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket")
                && ("/".equals(path) || path == null);
    }

    private void upgradeToWebSocket(HttpServletRequest request, HttpServletResponse response,
                                    ConnectionLimits.Admission admission) throws IOException {
        boolean upgraded = false;
        try {
            Object container = getServletContext().getAttribute(ServerContainer.class.getName());
            if (!(container instanceof ServerContainer serverContainer)) {
                response.sendError(HttpServletResponse.SC_BAD_REQUEST, "WebSocket is not available here");
                return;
            }
            serverContainer.upgradeHttpToWebSocket(request, response, webSocketEndpoint.configFor(admission), Map.of());
            upgraded = response.getStatus() == HttpServletResponse.SC_SWITCHING_PROTOCOLS;
        } catch (DeploymentException e) {
            log.warn("WebSocket upgrade failed", e);
            if (!response.isCommitted()) {
                response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            }
        } finally {
            if (admission != null) {
                if (upgraded) {
                    // The endpoint opens once the 101 is written; if it never does, the place is given back.
                    timers.schedule(admission::expireIfPending, ConnectionLimits.PENDING_LIMIT_SECONDS, TimeUnit.SECONDS);
                } else {
                    admission.releaseIfPending(); // Tomcat refused the upgrade (bad version, key, ...)
                }
            }
        }
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, ConnectionLimits.Refusal refusal)
            throws IOException {
        response.setStatus(TOO_MANY_REQUESTS);
        response.setHeader("Retry-After", String.valueOf(Math.max(1, refusal.retryAfterSeconds())));
        allowOrigin(request, response); // so that an allowed cross-origin page can read why
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(new JSONObject().put("code", refusal.code()).put("message", refusal.message()).toString());
    }

    private void preflight(HttpServletRequest request, HttpServletResponse response) {
        if (allowOrigin(request, response)) {
            response.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            response.setHeader("Access-Control-Allow-Headers", "origin, content-type, accept");
            response.setHeader("Access-Control-Max-Age", "600");
        }
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }

    private boolean allowOrigin(HttpServletRequest request, HttpServletResponse response) {
        String origin = request.getHeader("Origin");
        if (origin != null && originPolicy.permits(origin, request.getHeader("Host"), request.getHeader("X-Forwarded-Host"))) {
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Access-Control-Allow-Credentials", "true");
            response.setHeader("Vary", "Origin");
            return true;
        }
        return false;
    }
}
