package org.pavilion.admin.projects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pavilion.eligibility.CustomQualification;
import org.pavilion.eligibility.Eligibility;
import org.pavilion.eligibility.EligibilityStore;
import org.pavilion.eligibility.ExcludedWorkers;
import org.pavilion.project.Project;
import org.pavilion.project.ProjectRepository;
import org.pavilion.project.Task;
import org.pavilion.project.TaskRepository;
import org.pavilion.project.TaskSettings;
import org.pavilion.queue.Thresholds;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/** The project's excluded workers and a task's who-may-work settings, through the REST API and the console. */
@SpringBootTest(properties = "pavilion.database.embedded=mem")
@WithMockUser(username = "ada@example.org", roles = "ADMIN")
class EligibilityAdminTest {

    @Autowired
    WebApplicationContext context;
    @Autowired
    ProjectRepository projects;
    @Autowired
    TaskRepository tasks;
    @Autowired
    ExcludedWorkers excluded;
    @Autowired
    EligibilityStore store;

    MockMvc mvc;
    Project project;
    Task task;

    @BeforeEach
    void setUp() {
        mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
        project = projects.create("Eligibility " + System.nanoTime(), "", Instant.now());
        task = tasks.create(project.id(), TaskSettings.basic("T", "d", "https://example.org/t", 10,
                new Thresholds(1, 0, 2, 1)), Instant.now());
    }

    String excludedUrl() {
        return "/api/admin/projects/" + project.id() + "/excluded-workers";
    }

    @Test
    void apiAddsRemovesAndRefusesBadIdsChangingNothing() throws Exception {
        mvc.perform(post(excludedUrl()).with(csrf()).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"workerId\": \"A1B2C3D4E5\"}"))
                .andExpect(status().isOk()).andExpect(jsonPath("$.added[0]").value("A1B2C3D4E5"));
        // the same again: merged, not doubled
        mvc.perform(post(excludedUrl()).with(csrf()).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"workerId\": \"A1B2C3D4E5\"}"))
                .andExpect(status().isOk()).andExpect(jsonPath("$.addedCount").value(0))
                .andExpect(jsonPath("$.alreadyListed[0]").value("A1B2C3D4E5"));
        for (String bad : List.of("\"a1b2c3\"", "\"A1 B2\"", "\"\"", "\"" + "A".repeat(65) + "\"", "12")) {
            mvc.perform(post(excludedUrl()).with(csrf()).contentType(MediaType.APPLICATION_JSON)
                            .content("{\"workerId\": " + bad + "}"))
                    .andExpect(status().isBadRequest()).andExpect(jsonPath("$.error").value("validation_failed"))
                    .andExpect(jsonPath("$.fields.workerId").exists());
        }
        mvc.perform(post(excludedUrl()).with(csrf()).contentType(MediaType.APPLICATION_JSON)
                        .content("{\"workerId\": \"a1b2c3\"}"))
                .andExpect(jsonPath("$.fields.workerId").value(org.hamcrest.Matchers.containsString("upper-case")));
        mvc.perform(get(excludedUrl())).andExpect(status().isOk())
                .andExpect(jsonPath("$.workerIds").value(org.hamcrest.Matchers.contains("A1B2C3D4E5")));

        mvc.perform(delete(excludedUrl() + "/A1B2C3D4E5").with(csrf())).andExpect(status().isNoContent());
        mvc.perform(delete(excludedUrl() + "/A1B2C3D4E5").with(csrf())).andExpect(status().isNotFound())
                .andExpect(jsonPath("$.error").value("not_excluded"));
        assertThat(excluded.list(project.id())).isEmpty();
        // without CSRF or as a non-admin: refused
        mvc.perform(post(excludedUrl()).contentType(MediaType.APPLICATION_JSON).content("{\"workerId\": \"AX\"}"))
                .andExpect(status().isForbidden());
        mvc.perform(get("/api/admin/projects/999999/excluded-workers")).andExpect(status().isNotFound());
        assertThat(excluded.list(project.id())).isEmpty();
    }

    @Test
    @WithMockUser(username = "eve@example.org", roles = "WORKER")
    void aNonAdminCannotEditTheList() throws Exception {
        mvc.perform(post(excludedUrl()).with(csrf()).contentType(MediaType.APPLICATION_JSON)
                .content("{\"workerId\": \"AEVE\"}")).andExpect(status().isForbidden());
        assertThat(excluded.list(project.id())).isEmpty();
    }

    @Test
    void anMTurkBatchResultsFileExcludesOnlyItsWorkerIdColumnThoughCellsHoldSpacesCommasAndLineBreaks()
            throws Exception {
        // As MTurk writes its batch results: every cell quoted; titles and answers with spaces, commas, upper-case
        // words, numbers and line breaks, none of which is a worker id.
        String csv = "\"HITId\",\"Title\",\"Reward\",\"Worker ID\",\"Answer.text\"\n"
                + "\"3HIT1\",\"Chat with OTHERS, 2 PEOPLE\",\"$0.50\",\"ABATCH1\",\"YES I AGREE\"\n"
                + "\"3HIT2\",\"Chat with OTHERS, 2 PEOPLE\",\"$0.50\",\"ABATCH2\",\"FIRST LINE\nSECOND 120\"\n"
                + "\"3HIT3\",\"Chat with OTHERS, 2 PEOPLE\",\"$0.50\",\"not an id\",\"OK\"\n";
        mvc.perform(post(excludedUrl() + "/import").with(csrf()).contentType("text/csv").content(csv))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.added").value(org.hamcrest.Matchers.contains("ABATCH1", "ABATCH2")))
                .andExpect(jsonPath("$.refused.length()").value(1))
                .andExpect(jsonPath("$.refused[0].value").value("not an id"))
                .andExpect(jsonPath("$.refused[0].line").value(5)); // the third record starts on line 5
        assertThat(excluded.list(project.id())).containsExactly("ABATCH1", "ABATCH2");
    }

    @Test
    void apiImportsACsvMergingRepeatsAndReportingRefusals() throws Exception {
        excluded.add(project.id(), "AOLD1", Instant.now());
        String csv = "\"HITId\",\"WorkerId\",\"Answer\"\nH1,\"AW1\",x\nH2,AW2,y\nH3,AW1,z\nH4,aw3,q\nH5,AOLD1,r\n";
        mvc.perform(post(excludedUrl() + "/import").with(csrf()).contentType("text/csv").content(csv))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.added").value(org.hamcrest.Matchers.contains("AW1", "AW2")))
                .andExpect(jsonPath("$.alreadyListed").value(org.hamcrest.Matchers.contains("AOLD1")))
                .andExpect(jsonPath("$.refused[0].line").value(5))
                .andExpect(jsonPath("$.refused[0].value").value("aw3"))
                .andExpect(jsonPath("$.refused[0].reason").value(org.hamcrest.Matchers.containsString("upper-case")));
        assertThat(excluded.list(project.id())).containsExactly("AOLD1", "AW1", "AW2");
        // one id a line, blank lines ignored
        mvc.perform(post(excludedUrl() + "/import").with(csrf()).contentType(MediaType.TEXT_PLAIN)
                        .content("AP1\n\nAP2\r\nAP1\n"))
                .andExpect(status().isOk()).andExpect(jsonPath("$.addedCount").value(2));
        // nothing at all: a clear error, nothing changed
        mvc.perform(post(excludedUrl() + "/import").with(csrf()).contentType(MediaType.TEXT_PLAIN).content("  \n"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.fields.workerIds").value(org.hamcrest.Matchers.containsString("no worker ids")));
        assertThat(excluded.list(project.id())).hasSize(5);
    }

    @Test
    void apiSetsATasksSettingsAndRefusesBadRequirements() throws Exception {
        String url = "/api/admin/tasks/" + task.id() + "/eligibility";
        mvc.perform(get(url)).andExpect(status().isOk()).andExpect(jsonPath("$.masters").value(false))
                .andExpect(jsonPath("$.excludeProjectWorkers").value(false));
        mvc.perform(put(url).with(csrf()).contentType(MediaType.APPLICATION_JSON).content("""
                        {"excludeProjectWorkers": true, "masters": true, "qualifications": [
                          {"qualificationTypeId": "3ABCDEF", "comparator": "GreaterThanOrEqualTo", "integerValues": [80]},
                          {"qualificationTypeId": "3LOCALES", "comparator": "In", "localeValues": ["US", "ca", "US-NY"]},
                          {"qualificationTypeId": "3PAST", "comparator": "DoesNotExist"}]}
                        """))
                .andExpect(status().isOk()).andExpect(jsonPath("$.qualifications[1].localeValues[1]").value("CA"));
        Eligibility saved = store.find(task.id());
        assertThat(saved.excludeProjectWorkers()).isTrue();
        assertThat(saved.masters()).isTrue();
        assertThat(saved.qualifications()).containsExactly(
                new CustomQualification("3ABCDEF", "GreaterThanOrEqualTo", List.of(80), List.of()),
                new CustomQualification("3LOCALES", "In", List.of(), List.of("US", "CA", "US-NY")),
                new CustomQualification("3PAST", "DoesNotExist", List.of(), List.of()));
        for (String bad : List.of("{\"masters\": \"yes\"}", "{\"qualifications\": [{\"qualificationTypeId\": \"3A\", "
                        + "\"comparator\": \"Near\", \"integerValues\": [1]}]}",
                "{\"qualifications\": [{\"qualificationTypeId\": \"3A\", \"comparator\": \"Exists\", \"integerValues\": [1]}]}",
                "{\"qualifications\": [{\"qualificationTypeId\": \"3A\", \"comparator\": \"LessThan\", \"localeValues\": [\"US\"]}]}",
                "{\"qualifications\": [{\"qualificationTypeId\": \"bad id\", \"comparator\": \"Exists\"}]}",
                "{\"other\": 1}")) {
            mvc.perform(put(url).with(csrf()).contentType(MediaType.APPLICATION_JSON).content(bad))
                    .andExpect(status().isBadRequest()).andExpect(jsonPath("$.error").value("validation_failed"));
        }
        assertThat(store.find(task.id())).isEqualTo(saved);
        // a clone keeps them
        String clone = mvc.perform(post("/api/admin/tasks/" + task.id() + "/clone").with(csrf()))
                .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
        long copy = com.jayway.jsonpath.JsonPath.parse(clone).read("$.id", Long.class);
        assertThat(store.find(copy)).isEqualTo(saved);
        // a task never posted can still be deleted: its settings go with it
        mvc.perform(delete("/api/admin/tasks/" + task.id()).with(csrf())).andExpect(status().isNoContent());
        mvc.perform(get(url)).andExpect(status().isNotFound());
    }

    @Test
    void theProjectPageAddsImportsAndRemoves() throws Exception {
        String page = "/admin/projects/" + project.id() + "/excluded-workers";
        Document projectPage = Jsoup.parse(mvc.perform(get("/admin/projects/" + project.id()))
                .andReturn().getResponse().getContentAsString());
        assertThat(projectPage.select("#excluded-workers-link").attr("href")).isEqualTo(page);

        mvc.perform(post(page).with(csrf()).param("workerId", "AONE")).andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("notice", org.hamcrest.Matchers.containsString("AONE excluded")));
        mvc.perform(post(page).with(csrf()).param("workerId", "not an id")).andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("problem", org.hamcrest.Matchers.containsString("not an MTurk worker id")));
        mvc.perform(post(page).param("workerId", "ANOCSRF")).andExpect(status().isForbidden());
        assertThat(excluded.list(project.id())).containsExactly("AONE");

        MockMultipartFile file = new MockMultipartFile("file", "workers.csv", "text/csv",
                "WorkerId\nAFILE1\nAFILE2\nbad-one\n".getBytes(StandardCharsets.UTF_8));
        String html = mvc.perform(multipart(page + "/import").file(file).param("text", "APASTED\nAONE").with(csrf()))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString();
        Document d = Jsoup.parse(html);
        assertThat(d.select(".notice").text()).contains("3 workers added, 1 excluded already, 1 refused");
        assertThat(d.select("#import-refused td").eachText()).contains("bad-one");
        assertThat(d.select("#excluded-list code").eachText()).containsExactly("AFILE1", "AFILE2", "AONE", "APASTED");

        mvc.perform(post(page + "/AONE/remove").with(csrf())).andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("notice", org.hamcrest.Matchers.containsString("may work")));
        assertThat(excluded.list(project.id())).containsExactly("AFILE1", "AFILE2", "APASTED");
    }

    @Test
    void theTaskPageSavesSettingsAndRefusesABadLine() throws Exception {
        String page = "/admin/tasks/" + task.id() + "/eligibility";
        Document taskPage = Jsoup.parse(mvc.perform(get("/admin/tasks/" + task.id()))
                .andReturn().getResponse().getContentAsString());
        assertThat(taskPage.select("#eligibility-link").attr("href")).isEqualTo(page);
        mvc.perform(post(page).with(csrf()).param("excludeProjectWorkers", "true")
                        .param("qualifications", "3ABC GreaterThan 5\n\n3LOC NotIn US,de\n"))
                .andExpect(status().is3xxRedirection());
        assertThat(store.find(task.id())).isEqualTo(new Eligibility(true, false, List.of(
                new CustomQualification("3ABC", "GreaterThan", List.of(5), List.of()),
                new CustomQualification("3LOC", "NotIn", List.of(), List.of("US", "DE")))));
        String html = mvc.perform(post(page).with(csrf()).param("masters", "true")
                        .param("qualifications", "3ABC Between 1,2"))
                .andExpect(status().isBadRequest()).andReturn().getResponse().getContentAsString();
        assertThat(Jsoup.parse(html).select(".notice-error").text()).contains("line 1").contains("comparator");
        assertThat(store.find(task.id()).masters()).isFalse(); // nothing saved
        Document shown = Jsoup.parse(mvc.perform(get(page)).andReturn().getResponse().getContentAsString());
        assertThat(shown.select("#exclude-project").hasAttr("checked")).isTrue();
        assertThat(shown.select("#qualifications").text()).contains("3LOC NotIn US,DE");
    }
}
