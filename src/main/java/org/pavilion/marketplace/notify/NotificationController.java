package org.pavilion.marketplace.notify;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The seed's notification URL, {@code POST /api/from_mturk}: SNS deliveries (JSON sent as
 * {@code text/plain}, any content type accepted, read as UTF-8) handed to the {@link NotificationIntake}.
 * Other methods answer 405.
 */
@RestController
public class NotificationController {

    public static final String PATH = "/api/from_mturk";
    public static final String TYPE_HEADER = "x-amz-sns-message-type";

    private final NotificationIntake intake;
    private final int maxBodyBytes;

    public NotificationController(NotificationIntake intake, SnsSettings settings) {
        this.intake = intake;
        this.maxBodyBytes = settings.maxBodyBytes();
    }

    @PostMapping(PATH)
    public ResponseEntity<String> receive(HttpServletRequest request) {
        String type = request.getHeader(TYPE_HEADER);
        String remote = request.getRemoteAddr();
        NotificationIntake.Response answer;
        if (request.getContentLengthLong() > maxBodyBytes) {
            answer = intake.refuseUnread(413, "body too large", type, remote);
        } else {
            answer = read(request, type, remote);
        }
        return ResponseEntity.status(answer.status()).contentType(MediaType.APPLICATION_JSON).body(answer.body());
    }

    private NotificationIntake.Response read(HttpServletRequest request, String type, String remote) {
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (out.size() + n > maxBodyBytes) {
                    return intake.refuseUnread(413, "body too large", type, remote);
                }
                out.write(buffer, 0, n);
            }
            bytes = out.toByteArray();
        } catch (IOException e) {
            return intake.refuseUnread(400, "body unreadable", type, remote);
        }
        String body;
        try {
            body = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return intake.refuseUnread(400, "body is not UTF-8", type, remote);
        }
        return intake.receive(type, body, remote);
    }
}
