package org.pavilion.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableBody;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.CustomBlock;
import org.commonmark.node.Node;
import org.commonmark.node.Paragraph;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.junit.jupiter.api.Test;

/**
 * README.md is what a newcomer reads first (issue 14 item 1): rendered as GitHub renders it (CommonMark with
 * GFM tables), its configuration table must be one table holding every row written for it (a blank line
 * inside it once turned half of it into raw pipe text), and its test command must be the one CI runs.
 */
class ReadmeTest {

    private static final Path README = Path.of("README.md");

    @Test
    void theConfigurationTableRendersAsOneTableWithEveryRow() throws IOException {
        String text = Files.readString(README);
        String section = between(text, "<!-- config-table -->", "<!-- /config-table -->");
        long written = section.lines().filter(l -> l.startsWith("| ")).count() - 1; // less the header row
        assertThat(written).as("rows written between the config-table markers").isGreaterThan(30);

        Node document = Parser.builder().extensions(List.of(TablesExtension.create())).build().parse(section);
        List<TableBlock> tables = new ArrayList<>();
        List<String> pipeParagraphs = new ArrayList<>();
        document.accept(new AbstractVisitor() {
            @Override
            public void visit(CustomBlock block) {
                if (block instanceof TableBlock table) {
                    tables.add(table);
                }
                visitChildren(block);
            }

            @Override
            public void visit(Paragraph paragraph) {
                String literal = literal(paragraph);
                if (literal.startsWith("|")) {
                    pipeParagraphs.add(literal);
                }
            }
        });
        assertThat(pipeParagraphs).as("table rows rendered as plain text").isEmpty();
        assertThat(tables).as("tables in the configuration section").hasSize(1);
        assertThat(bodyRows(tables.get(0))).as("rows the rendered table holds").isEqualTo(written);
    }

    @Test
    void theTestCommandIsTheOneCiRuns() throws IOException {
        String readme = Files.readString(README);
        String ci = Files.readString(Path.of(".ci/run"));
        Matcher test = Pattern.compile("## Test it[\\s\\S]*?```(?:sh|bash)?\\n(.+?)\\n```").matcher(readme);
        assertThat(test.find()).as("a command block under 'Test it'").isTrue();
        String command = test.group(1).strip();
        assertThat(command).isEqualTo("mvn -B verify");
        List<String> ciCommands = ci.lines().map(String::strip)
                .filter(l -> l.startsWith("mvn ") && !l.equals("mvn -v")).toList(); // less the version print
        assertThat(ciCommands).as(".ci/run's Maven commands").containsExactly(command);
        Matcher run = Pattern.compile("## Run it[\\s\\S]*?```(?:sh|bash)?\\n(.+?)\\n```").matcher(readme);
        assertThat(run.find()).as("a command block under 'Run it'").isTrue();
        assertThat(run.group(1).strip()).isEqualTo("mvn -B spring-boot:run");
    }

    private static long bodyRows(TableBlock table) {
        long rows = 0;
        for (Node child = table.getFirstChild(); child != null; child = child.getNext()) {
            if (child instanceof TableBody body) {
                for (Node row = body.getFirstChild(); row != null; row = row.getNext()) {
                    rows++;
                }
            }
        }
        return rows;
    }

    private static String literal(Node node) {
        StringBuilder out = new StringBuilder();
        node.accept(new AbstractVisitor() {
            @Override
            public void visit(Text text) {
                out.append(text.getLiteral());
            }
        });
        return out.toString().strip();
    }

    private static String between(String text, String from, String to) {
        int start = text.indexOf(from);
        int end = text.indexOf(to);
        assertThat(start).as(from + " in README.md").isNotNegative();
        assertThat(end).as(to + " in README.md").isGreaterThan(start);
        return text.substring(start + from.length(), end);
    }
}
