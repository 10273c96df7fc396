package org.pavilion.realtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletOutputStream;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * A handshake's answer leaves only when both the library has closed it and the session is registered
 * ({@link HeldHandshakeResponse#release()}), in either order: a client must never read its session id
 * before the server knows it.
 */
class HeldHandshakeResponseTest {

    @Test
    void aClosedAnswerWaitsForTheRelease() throws Exception {
        MockHttpServletResponse real = new MockHttpServletResponse();
        HeldHandshakeResponse held = new HeldHandshakeResponse(real);
        held.setContentType("text/plain; charset=UTF-8");
        held.setContentLength(5);
        try (ServletOutputStream out = held.getOutputStream()) {
            out.write("0{..}".getBytes(StandardCharsets.UTF_8));
        }
        held.flushBuffer();
        assertThat(real.isCommitted()).isFalse();
        assertThat(real.getContentAsByteArray()).isEmpty();

        held.release();
        assertThat(real.getContentAsString()).isEqualTo("0{..}");
        assertThat(real.getContentType()).startsWith("text/plain");
    }

    @Test
    void anAnswerClosedAfterTheReleaseIsSentWhenItCloses() throws Exception {
        MockHttpServletResponse real = new MockHttpServletResponse();
        HeldHandshakeResponse held = new HeldHandshakeResponse(real);
        held.release(); // the library answered later, from another thread (a held poll)
        ServletOutputStream out = held.getOutputStream();
        out.write('6');
        assertThat(real.getContentAsByteArray()).isEmpty();
        out.close();
        assertThat(real.getContentAsString()).isEqualTo("6");
        out.close(); // a second close sends nothing twice
        held.release();
        assertThat(real.getContentAsString()).isEqualTo("6");
    }

    @Test
    void aWriterIsHeldTheSameWay() throws Exception {
        MockHttpServletResponse real = new MockHttpServletResponse();
        real.setCharacterEncoding("UTF-8");
        HeldHandshakeResponse held = new HeldHandshakeResponse(real);
        PrintWriter writer = held.getWriter();
        writer.write("ok é");
        writer.flush();
        writer.close();
        assertThat(real.getContentAsByteArray()).isEmpty();
        held.release();
        assertThat(real.getContentAsString()).isEqualTo("ok é");
    }
}
