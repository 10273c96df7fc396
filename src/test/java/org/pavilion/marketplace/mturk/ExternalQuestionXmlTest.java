package org.pavilion.marketplace.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class ExternalQuestionXmlTest {

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void ampersandsAreEscapedAndTheUrlSurvivesAnXmlParser() throws Exception {
        String url = "https://pavilion.example.org/worker?session=s-42&task=chat&lang=en's";

        String xml = ExternalQuestionXml.of(url, 600);

        assertTrue(xml.contains("<ExternalURL>https://pavilion.example.org/worker?session=s-42&amp;task=chat"
                + "&amp;lang=en&apos;s</ExternalURL>"), xml);
        assertTrue(xml.contains("<FrameHeight>600</FrameHeight>"), xml);
        Document doc = parse(xml);
        Element root = doc.getDocumentElement();
        assertEquals("ExternalQuestion", root.getLocalName());
        assertEquals("http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd",
                root.getNamespaceURI());
        assertEquals(url, root.getElementsByTagNameNS(ExternalQuestionXml.NAMESPACE, "ExternalURL").item(0)
                .getTextContent());
        assertEquals("600", root.getElementsByTagNameNS(ExternalQuestionXml.NAMESPACE, "FrameHeight").item(0)
                .getTextContent());
    }

    @Test
    void everyXmlSpecialCharacterIsEscaped() {
        assertEquals("a&amp;b&lt;c&gt;d&quot;e&apos;f", ExternalQuestionXml.escape("a&b<c>d\"e'f"));
        assertEquals("&amp;amp;", ExternalQuestionXml.escape("&amp;"));
        assertThrows(IllegalArgumentException.class, () -> ExternalQuestionXml.escape("bad\u0001char"));
    }

    @Test
    void refusesWhatMturkWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> ExternalQuestionXml.of("/relative/path", 600));
        assertThrows(IllegalArgumentException.class, () -> ExternalQuestionXml.of("ftp://example.org/x", 600));
        assertThrows(IllegalArgumentException.class, () -> ExternalQuestionXml.of("https://example.org/x", -1));
        assertThrows(IllegalArgumentException.class,
                () -> ExternalQuestionXml.of("https://example.org/x?" + "a".repeat(70_000), 600));
    }
}
