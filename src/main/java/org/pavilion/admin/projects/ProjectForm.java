package org.pavilion.admin.projects;

import java.util.LinkedHashMap;
import java.util.Map;

/** The project form: a name (required, at most 200 characters) and a description (at most 4000). */
public class ProjectForm {

    private String name = "";
    private String description = "";

    /** One message per bad field; empty when the form can be saved. */
    public Map<String, String> validate() {
        Map<String, String> errors = new LinkedHashMap<>();
        String n = name == null ? "" : name.strip();
        if (n.isEmpty()) {
            errors.put("name", "Name is required.");
        } else if (n.length() > 200) {
            errors.put("name", "Name must be at most 200 characters (it has " + n.length() + ").");
        }
        String d = description == null ? "" : description.strip();
        if (d.length() > 4000) {
            errors.put("description", "Description must be at most 4000 characters (it has " + d.length() + ").");
        }
        return errors;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }
}
