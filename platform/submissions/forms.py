"""The upload form of a phase: prediction files and the method description."""

from django import forms

from challenges.models import METHOD_FIELD_CHOICES

METHOD_FIELD_LABELS = dict(METHOD_FIELD_CHOICES)
METHOD_FIELD_HELP = {
    "architecture": "For example: 3D U-Net (nnU-Net full resolution), 5 folds.",
    "pre_training": "Weights or self-supervised pre-training used, or none.",
    "ensembling": "How many models were combined and how, or none.",
    "post_processing": "For example: largest connected component per class, or none.",
    "extra_training_data": "Data beyond the challenge's training set, or none.",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts one or several files and cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        if isinstance(data, (list, tuple)):
            return [single_clean(item, initial) for item in data]
        return [single_clean(data, initial)]


class SubmissionForm(forms.Form):
    """Prediction files plus the method-description fields that the phase collects."""

    files = MultipleFileField(
        label="Predictions",
        help_text="One zip or tar.gz archive, or one or several .nii, .nii.gz, .mha or .nrrd files named by case id.",
    )

    def __init__(self, *args, phase, **kwargs):
        super().__init__(*args, **kwargs)
        self.phase = phase
        for name in phase.method_fields:
            self.fields[name] = forms.CharField(
                label=METHOD_FIELD_LABELS[name],
                help_text=METHOD_FIELD_HELP[name],
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def method_description(self):
        return {name: self.cleaned_data[name] for name in self.phase.method_fields}
