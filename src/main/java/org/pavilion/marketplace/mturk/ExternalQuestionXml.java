package org.pavilion.marketplace.mturk;

import java.net.URI;

/**
 * Builds MTurk's ExternalQuestion document: the worker-facing page MTurk shows in a frame.
 * MTurk appends {@code assignmentId}, {@code hitId}, {@code workerId} and {@code turkSubmitTo}
 * to the URL; the page submits to {@code {turkSubmitTo}/mturk/externalSubmit}.
 *
 * <pre>{@code
 * <ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd">
 *   <ExternalURL>https://example.org/task?a=1&amp;b=2</ExternalURL>
 *   <FrameHeight>600</FrameHeight>
 * </ExternalQuestion>
 * }</pre>
 */
public final class ExternalQuestionXml {

    public static final String NAMESPACE =
            "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd";
    /** MTurk's limit on the Question parameter, in bytes. */
    public static final int MAX_BYTES = 65_535;

    private ExternalQuestionXml() {
    }

    /**
     * @param externalUrl an absolute https (or, for the local marketplace, http) URL
     * @param frameHeight the frame's height in pixels; 0 lets the page fill the window
     */
    public static String of(String externalUrl, int frameHeight) {
        if (externalUrl == null || externalUrl.isBlank()) {
            throw new IllegalArgumentException("ExternalURL is required");
        }
        URI uri = URI.create(externalUrl.trim());
        if (!uri.isAbsolute() || !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
            throw new IllegalArgumentException("ExternalURL must be an absolute http(s) URL: " + externalUrl);
        }
        if (frameHeight < 0) {
            throw new IllegalArgumentException("FrameHeight must not be negative: " + frameHeight);
        }
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<ExternalQuestion xmlns=\"" + NAMESPACE + "\">"
                + "<ExternalURL>" + escape(externalUrl.trim()) + "</ExternalURL>"
                + "<FrameHeight>" + frameHeight + "</FrameHeight>"
                + "</ExternalQuestion>";
        if (xml.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("the ExternalQuestion is larger than MTurk's 64 KB limit");
        }
        return xml;
    }

    /** Escapes text for XML content: {@code & < > " '}; refuses characters XML 1.0 cannot carry. */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&':
                    out.append("&amp;");
                    break;
                case '<':
                    out.append("&lt;");
                    break;
                case '>':
                    out.append("&gt;");
                    break;
                case '"':
                    out.append("&quot;");
                    break;
                case '\'':
                    out.append("&apos;");
                    break;
                default:
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
                        throw new IllegalArgumentException(
                                "a character XML cannot carry: U+" + String.format("%04X", (int) c));
                    }
                    out.append(c);
            }
        }
        return out.toString();
    }
}
