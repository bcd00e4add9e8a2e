-- A template version's own Terraform root module (issue 16: `terraform: {module: DIR}` in the presets file), as
-- written: the terraform provisioner applies, checks, claims and destroys that version's workspaces with it. Null:
-- the service's --terraform-module. Like a version's parameters it never changes once stored (checked on apply).
alter table template_versions
    add column terraform_module text,
    add constraint template_versions_terraform_module_bounded
        check (terraform_module is null or length(terraform_module) between 1 and 1024);
