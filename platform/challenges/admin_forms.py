"""Admin forms: the phase with its task definition, and the reference upload."""

import json
from pathlib import PurePath

import yaml
from django import forms

from challenges.models import METHOD_FIELD_CHOICES, Phase
from submissions.forms import MultipleFileField

MAX_TASK_FILE_BYTES = 5 * 1024 * 1024


def parse_task_definition(data, source):
    """Validate a task definition with the evaluator and return its normalised dict."""
    from evaluator.task import TaskDefinitionError, parse_task

    try:
        return parse_task(data, source=source).to_dict()
    except TaskDefinitionError as error:
        raise forms.ValidationError(str(error)) from None


def read_task_file(uploaded):
    """Decode an uploaded JSON or YAML task file into a dict (not yet validated)."""
    name = PurePath(uploaded.name).name
    if uploaded.size > MAX_TASK_FILE_BYTES:
        raise forms.ValidationError(f"The task file {name} is larger than {MAX_TASK_FILE_BYTES} bytes.")

    raw = uploaded.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise forms.ValidationError(f"The task file {name} is not UTF-8 text.") from None

    if name.lower().endswith((".yaml", ".yml")):
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise forms.ValidationError(f"The task file {name} is not valid YAML: {error}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise forms.ValidationError(f"The task file {name} is not valid JSON: {error}") from None


class IndentedJSONField(forms.JSONField):
    """A JSON form field shown indented, so a task definition reads as it does in its file."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class PhaseAdminForm(forms.ModelForm):
    """A phase, with its task definition edited as JSON or replaced by an uploaded file."""

    task_file = forms.FileField(
        required=False,
        label="Import task file",
        help_text="A JSON or YAML task definition; it replaces the definition above.",
    )
    method_fields = forms.MultipleChoiceField(
        choices=METHOD_FIELD_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Fields of the method description that participants fill in at submission time.",
    )

    class Meta:
        model = Phase
        exclude = ["reference_version"]
        field_classes = {"task_definition": IndentedJSONField}
        widgets = {"task_definition": forms.Textarea(attrs={"rows": 24, "cols": 80, "style": "font-family: monospace"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "task_definition" in self.fields:
            self.fields["task_definition"].required = False

    def clean_method_fields(self):
        return list(self.cleaned_data["method_fields"])

    def clean(self):
        cleaned = super().clean()
        uploaded = cleaned.get("task_file")
        if uploaded:
            try:
                data = read_task_file(uploaded)
                cleaned["task_definition"] = parse_task_definition(data, source=PurePath(uploaded.name).name)
            except forms.ValidationError as error:
                self.add_error("task_file", error)
            return cleaned

        if "task_definition" in self.errors:
            return cleaned
        data = cleaned.get("task_definition")
        if not data:
            self.add_error("task_definition", "Enter a task definition, or import a task file.")
            return cleaned
        try:
            cleaned["task_definition"] = parse_task_definition(data, source="task definition")
        except forms.ValidationError as error:
            self.add_error("task_definition", error)
        return cleaned

    def save(self, commit=True):
        self.instance.task_definition = self.cleaned_data["task_definition"]
        return super().save(commit=commit)


class ReferenceUploadForm(forms.Form):
    files = MultipleFileField(
        label="Reference annotations",
        help_text=(
            "One zip or tar.gz archive, or one or several label-map files named by case id "
            "(case_00001.nii.gz). In an archive, a folder of label maps is one case with several annotations."
        ),
    )
    replace_all = forms.BooleanField(
        required=False,
        label="Delete the phase's other reference cases",
        help_text="Without this, cases in the upload are added or replaced and the others are kept.",
    )
