package org.pavilion.realtime.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * The answer to a polling handshake, held back until engine.io-server has registered the new session.
 * The library writes and closes the handshake's OPEN packet before it records the session id, so a fast
 * client's first poll could reach the server before the id is known and get {@code 400 Session ID
 * unknown} (seen with socket.io-client 2.x pages in Chromium). Whatever the library writes is kept here
 * and sent once both have happened: the library closed the body, and {@link #release()} was called after
 * {@code handleRequest} returned (in either order; a body closed later, on another thread, is sent then).
 */
final class HeldHandshakeResponse extends HttpServletResponseWrapper {

    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final Holding stream = new Holding();
    private PrintWriter writer;
    private boolean closed;
    private boolean released;
    private boolean sent;

    HeldHandshakeResponse(HttpServletResponse response) {
        super(response);
    }

    @Override
    public ServletOutputStream getOutputStream() {
        return stream;
    }

    @Override
    public synchronized PrintWriter getWriter() {
        if (writer == null) {
            writer = new PrintWriter(new OutputStreamWriter(stream, Charset.forName(getCharacterEncoding())));
        }
        return writer;
    }

    /** Nothing is committed before the session is registered. */
    @Override
    public void flushBuffer() {
        // held
    }

    /** The library's handleRequest has returned: the session is registered; send what is complete. */
    synchronized void release() throws IOException {
        released = true;
        sendIfReady();
    }

    private synchronized void bodyClosed() throws IOException {
        closed = true;
        sendIfReady();
    }

    private void sendIfReady() throws IOException {
        if (!closed || !released || sent) {
            return;
        }
        sent = true;
        try (ServletOutputStream out = getResponse().getOutputStream()) {
            body.writeTo(out);
        }
    }

    private final class Holding extends ServletOutputStream {
        @Override
        public void write(int b) {
            synchronized (HeldHandshakeResponse.this) {
                body.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (HeldHandshakeResponse.this) {
                body.write(b, off, len);
            }
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
            bodyClosed();
        }
    }
}
