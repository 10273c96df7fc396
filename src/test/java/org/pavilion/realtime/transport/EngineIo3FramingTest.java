package org.pavilion.realtime.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The Engine.IO 3 wire forms, byte for byte, as the 1.x and 2.x JavaScript parsers read them. */
class EngineIo3FramingTest {

    @Test
    void stripsThePayloadOfConnectAnswersOnly() {
        assertThat(EngineIo3Framing.connectWithoutPayload("40{\"sid\":\"abc\"}")).isEqualTo("40");
        assertThat(EngineIo3Framing.connectWithoutPayload("40/chat,{\"sid\":\"abc\"}")).isEqualTo("40/chat,");
        assertThat(EngineIo3Framing.connectWithoutPayload("40/chat,")).isEqualTo("40/chat,");
        assertThat(EngineIo3Framing.connectWithoutPayload("40/chat")).isEqualTo("40/chat");
        assertThat(EngineIo3Framing.connectWithoutPayload("40")).isEqualTo("40");
        // events, errors, acks, pings and the open packet are not touched
        assertThat(EngineIo3Framing.connectWithoutPayload("42/chat,[\"start_your_task\",{\"a\":1}]"))
                .isEqualTo("42/chat,[\"start_your_task\",{\"a\":1}]");
        assertThat(EngineIo3Framing.connectWithoutPayload("44/chat,\"nope\"")).isEqualTo("44/chat,\"nope\"");
        assertThat(EngineIo3Framing.connectWithoutPayload("0{\"sid\":\"x\"}")).isEqualTo("0{\"sid\":\"x\"}");
        assertThat(EngineIo3Framing.connectWithoutPayload("3")).isEqualTo("3");
    }

    @Test
    void readsAndWritesTheTextPayload() {
        List<String> packets = EngineIo3Framing.textPackets("2:4011:42[\"a\",\"é\"]1:3");
        assertThat(packets).containsExactly("40", "42[\"a\",\"é\"]", "3");
        assertThat(EngineIo3Framing.textPayload(packets)).isEqualTo("2:4011:42[\"a\",\"é\"]1:3");
        assertThat(EngineIo3Framing.textPackets("")).isEmpty();
    }

    @Test
    void refusesWhatIsNotATextPayload() {
        assertThatThrownBy(() -> EngineIo3Framing.textPackets("40")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EngineIo3Framing.textPackets("x:40")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EngineIo3Framing.textPackets("9:40")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EngineIo3Framing.textPackets(":40")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesTheBinaryPayloadWithUtf8LengthsAsDigitBytes() {
        byte[] payload = EngineIo3Framing.binaryPayload(List.of("40", "42[\"é\"]", "b4AQI="));
        assertThat(payload).containsExactly(
                // "40": string, length 2
                0x00, 0x02, 0xFF, '4', '0',
                // 42["é"]: 8 UTF-8 bytes (é is two), 8 UTF-16 units would be 7
                0x00, 0x08, 0xFF, '4', '2', '[', '"', 0xC3, 0xA9, '"', ']',
                // binary message packet: type byte 4, then the decoded bytes 1, 2
                0x01, 0x03, 0xFF, 0x04, 0x01, 0x02);
    }

    @Test
    void writesMultiDigitLengthsAsOneByteADigit() {
        String packet = "4" + "x".repeat(122); // 123 bytes
        byte[] payload = EngineIo3Framing.binaryPayload(List.of(packet));
        assertThat(payload).startsWith(0x00, 0x01, 0x02, 0x03, 0xFF, '4', 'x');
        assertThat(payload).hasSize(5 + 123);
    }

    @Test
    void knowsAnEngineIo3Query() {
        assertThat(EngineIo3Framing.isEngineIo3(Map.of("EIO", "3"))).isTrue();
        assertThat(EngineIo3Framing.isEngineIo3(Map.of("EIO", "4"))).isFalse();
        assertThat(EngineIo3Framing.isEngineIo3(Map.of())).isFalse();
        assertThat(EngineIo3Framing.isEngineIo3(null)).isFalse();
    }
}
