package org.pavilion.marketplace.local;

import java.util.Optional;
import java.util.UUID;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * The local SNS's public URLs: the signing certificate ({@code GET /local-mturk/sns/cert.pem},
 * the messages' SigningCertURL), the SubscribeURL ({@code GET /local-mturk/sns/confirm?Token=…},
 * {@code token} also accepted) and the UnsubscribeURL
 * ({@code GET /local-mturk/sns/unsubscribe?SubscriptionArn=…}), answering with SNS's XML documents.
 */
@RestController
@ConditionalOnLocalMarketplace
public class SnsController {

    private static final String NS = "http://sns.amazonaws.com/doc/2010-03-31/";
    private static final MediaType XML = MediaType.parseMediaType("text/xml;charset=UTF-8");

    private final LocalSns sns;

    public SnsController(LocalSns sns) {
        this.sns = sns;
    }

    @GetMapping("/local-mturk/sns/cert.pem")
    public ResponseEntity<String> certificate() {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/x-pem-file"))
                .header(HttpHeaders.CACHE_CONTROL, "public, max-age=3600")
                .body(sns.signer().certificatePem());
    }

    @GetMapping("/local-mturk/sns/confirm")
    public ResponseEntity<String> confirm(@RequestParam(name = "Token", required = false) String token,
                                          @RequestParam(name = "token", required = false) String lowerToken) {
        Optional<String> arn = sns.confirm(token != null ? token : lowerToken);
        if (arn.isEmpty()) {
            return error("InvalidParameter", "Invalid token");
        }
        return ResponseEntity.ok().contentType(XML).body("<ConfirmSubscriptionResponse xmlns=\"" + NS + "\">"
                + "<ConfirmSubscriptionResult><SubscriptionArn>" + HtmlUtils.htmlEscape(arn.get())
                + "</SubscriptionArn></ConfirmSubscriptionResult>" + metadata() + "</ConfirmSubscriptionResponse>");
    }

    @GetMapping("/local-mturk/sns/unsubscribe")
    public ResponseEntity<String> unsubscribe(@RequestParam(name = "SubscriptionArn", required = false) String arn) {
        if (!sns.unsubscribe(arn)) {
            return error("NotFound", "Subscription does not exist");
        }
        return ResponseEntity.ok().contentType(XML).body("<UnsubscribeResponse xmlns=\"" + NS + "\">" + metadata()
                + "</UnsubscribeResponse>");
    }

    private static ResponseEntity<String> error(String code, String message) {
        return ResponseEntity.status(404).contentType(XML).body("<ErrorResponse xmlns=\"" + NS + "\"><Error>"
                + "<Type>Sender</Type><Code>" + code + "</Code><Message>" + message + "</Message></Error>"
                + "<RequestId>" + UUID.randomUUID() + "</RequestId></ErrorResponse>");
    }

    private static String metadata() {
        return "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata>";
    }
}
