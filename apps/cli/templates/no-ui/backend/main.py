"""{{name}}: an HLA-Compass module.

The platform imports the class named in manifest.json (execution.entrypoint) and calls
execute() with the run's input, validated against manifest.json "inputs".
"""

from hla_compass import Module


class NoUIModule(Module):
    def execute(self, input_data, context):
        min_length = input_data.get("minLength", 8)
        peptides = [p for p in input_data.get("peptides", []) if len(p) >= min_length]
        results = [{"peptide": p, "length": len(p)} for p in peptides]
        return {
            "status": "success",
            "results": results,
            "summary": {"peptides": len(results)},
        }
