package org.pavilion.admin.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** RFC 4180: quoting only where needed, quotes doubled, CRLF records; text that a spreadsheet would run is neutralised. */
class CsvWriterTest {

    @Test
    void plainValuesAreWrittenAsTheyAre() {
        assertThat(new CsvWriter().row("a", 1, "b c", "").toString()).isEqualTo("a,1,b c,\r\n");
    }

    @Test
    void nullIsAnEmptyField() {
        assertThat(new CsvWriter().row(Arrays.asList(null, "x", null)).toString()).isEqualTo(",x,\r\n");
    }

    @Test
    void commasQuotesAndLineBreaksAreQuoted() {
        assertThat(CsvWriter.field("w,2")).isEqualTo("\"w,2\"");
        assertThat(CsvWriter.field("w\"3")).isEqualTo("\"w\"\"3\"");
        assertThat(CsvWriter.field("\"")).isEqualTo("\"\"\"\"");
        assertThat(CsvWriter.field("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(CsvWriter.field("cr\rhere")).isEqualTo("\"cr\rhere\"");
        assertThat(CsvWriter.field(" spaced ")).isEqualTo(" spaced ");
        assertThat(CsvWriter.field("h\u00e9llo \u2713")).isEqualTo("h\u00e9llo \u2713");
    }

    @Test
    void textThatStartsLikeAFormulaGetsAQuoteInFrontAndIsQuoted() {
        assertThat(CsvWriter.field("=1+1")).isEqualTo("\"'=1+1\"");
        assertThat(CsvWriter.field("=HYPERLINK(\"http://x\",\"y\")")).isEqualTo("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        assertThat(CsvWriter.field("+1")).isEqualTo("\"'+1\"");
        assertThat(CsvWriter.field("-1")).isEqualTo("\"'-1\"");
        assertThat(CsvWriter.field("@SUM(A1)")).isEqualTo("\"'@SUM(A1)\"");
        assertThat(CsvWriter.field("\tx")).isEqualTo("\"'\tx\"");
        assertThat(CsvWriter.field("\rx")).isEqualTo("\"'\rx\"");
        // only the first character counts
        assertThat(CsvWriter.field("a=1")).isEqualTo("a=1");
        assertThat(CsvWriter.field(" =1")).isEqualTo(" =1");
        assertThat(CsvWriter.field("")).isEmpty();
    }

    @Test
    void numbersStayNumbersEvenWhenNegative() {
        assertThat(new CsvWriter().row(-5, -2L, new BigDecimal("-1.500"), 7, new BigDecimal("30.000")).toString())
                .isEqualTo("-5,-2,-1.500,7,30.000\r\n");
    }

    @Test
    void rowsAccumulate() {
        CsvWriter csv = new CsvWriter().row("h1", "h2").row("a,b", "c\"d");
        assertThat(csv.toString()).isEqualTo("h1,h2\r\n\"a,b\",\"c\"\"d\"\r\n");
    }
}
