package org.pavilion.realtime.transport;

import java.io.IOException;

import io.socket.engineio.server.EngineIoServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The HTTP long-polling transport: mapped to {@code /socket.io/*} with async support on (Engine.IO
 * holds each poll open with {@code startAsync}) and hands GET and POST requests to
 * {@link EngineIoServer#handleRequest}.
 *
 * <p>Engine.IO reads a POST body into an array of exactly {@code Content-Length} bytes, so bodies
 * larger than {@code pavilion.realtime.max-message-bytes} (413) and bodies of unknown length (411)
 * are refused here, before Engine.IO sees them. A CORS preflight is answered for allowed origins.
 */
final class EngineIoServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient EngineIoServer engineIoServer;
    private final transient OriginPolicy originPolicy;
    private final int maxMessageBytes;

    EngineIoServlet(EngineIoServer engineIoServer, OriginPolicy originPolicy, int maxMessageBytes) {
        this.engineIoServer = engineIoServer;
        this.originPolicy = originPolicy;
        this.maxMessageBytes = maxMessageBytes;
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
        }
        engineIoServer.handleRequest(request, response);
    }

    private void preflight(HttpServletRequest request, HttpServletResponse response) {
        String origin = request.getHeader("Origin");
        if (origin != null && originPolicy.permits(origin, request.getHeader("Host"), request.getHeader("X-Forwarded-Host"))) {
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Access-Control-Allow-Credentials", "true");
            response.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            response.setHeader("Access-Control-Allow-Headers", "origin, content-type, accept");
            response.setHeader("Access-Control-Max-Age", "600");
            response.setHeader("Vary", "Origin");
        }
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }
}
