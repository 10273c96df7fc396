package org.pavilion.marketplace;

/**
 * MTurk's ExternalQuestion document: the worker-facing URL shown in MTurk's frame. MTurk appends
 * assignmentId, hitId, workerId and turkSubmitTo to the URL.
 */
public final class ExternalQuestion {

    static final String NAMESPACE =
            "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd";

    private ExternalQuestion() {
    }

    public static String xml(String externalUrl, int frameHeight) {
        return "<ExternalQuestion xmlns=\"" + NAMESPACE + "\"><ExternalURL>" + escape(externalUrl)
                + "</ExternalURL><FrameHeight>" + frameHeight + "</FrameHeight></ExternalQuestion>";
    }

    /** XML text escaping; a URL's {@code &} must become {@code &amp;}. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
