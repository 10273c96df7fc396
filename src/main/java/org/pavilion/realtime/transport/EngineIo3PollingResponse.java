package org.pavilion.realtime.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response to an Engine.IO 3 polling GET, as the client asked for it (see {@link EngineIo3Framing}).
 * engine.io-server writes a poll's packets as one text payload: content type {@code text/plain},
 * then the length, then the bytes through {@link #getOutputStream()}, then closes the stream (possibly
 * later, on another thread, when something is sent to a held poll). This wrapper keeps that text,
 * and on close writes instead the same packets with each Socket.IO CONNECT answer stripped of its
 * payload: as the binary payload ({@code application/octet-stream}) when the client did not ask for
 * base64, or as text when it sent {@code b64=1}. Anything else written (errors, binary payloads)
 * passes through unchanged.
 */
final class EngineIo3PollingResponse extends HttpServletResponseWrapper {

    private static final Logger log = LoggerFactory.getLogger(EngineIo3PollingResponse.class);
    static final String BINARY_CONTENT_TYPE = "application/octet-stream";

    private final boolean binary;
    private String heldContentType; // the text/plain the library set, not yet passed on

    /** @param binary the client takes binary payloads (its query has no {@code b64}) */
    EngineIo3PollingResponse(HttpServletResponse response, boolean binary) {
        super(response);
        this.binary = binary;
    }

    @Override
    public void setContentType(String type) {
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/plain")) {
            heldContentType = type;
        } else {
            heldContentType = null;
            super.setContentType(type);
        }
    }

    @Override
    public void setContentLength(int length) {
        if (heldContentType == null) {
            super.setContentLength(length);
        }
    }

    @Override
    public void setContentLengthLong(long length) {
        if (heldContentType == null) {
            super.setContentLengthLong(length);
        }
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (heldContentType == null) {
            return super.getOutputStream();
        }
        return new Rewriting();
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        releaseHeldContentType();
        return super.getWriter();
    }

    private void releaseHeldContentType() {
        if (heldContentType != null) {
            super.setContentType(heldContentType);
            heldContentType = null;
        }
    }

    /** Collects the library's text payload; on close writes the rewritten one to the real response. */
    private final class Rewriting extends ServletOutputStream {
        private final ByteArrayOutputStream text = new ByteArrayOutputStream();
        private boolean closed;

        @Override
        public void write(int b) {
            text.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            text.write(b, off, len);
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            throw new UnsupportedOperationException("blocking writes only");
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            String payload = text.toString(StandardCharsets.UTF_8);
            String contentType = heldContentType;
            heldContentType = null;
            byte[] body;
            try {
                List<String> packets = EngineIo3Framing.textPackets(payload).stream()
                        .map(EngineIo3Framing::connectWithoutPayload)
                        .toList();
                if (binary) {
                    body = EngineIo3Framing.binaryPayload(packets);
                    contentType = BINARY_CONTENT_TYPE;
                } else {
                    body = EngineIo3Framing.textPayload(packets).getBytes(StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException e) {
                // Not a payload we know: send what the library wrote rather than nothing.
                log.debug("Engine.IO 3 poll response left as written: {}", e.getMessage());
                body = text.toByteArray();
            }
            HttpServletResponse response = (HttpServletResponse) getResponse();
            response.setContentType(contentType);
            response.setContentLength(body.length);
            try (ServletOutputStream out = response.getOutputStream()) {
                out.write(body);
            }
        }
    }
}
