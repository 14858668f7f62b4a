//! Which simple icon (assets/icons.svg) stands for a category.

use tsunagu_model::Category;

pub fn category_icon(category: Category) -> &'static str {
    use Category::*;
    match category {
        Exercise => "person",
        Meal | MealDelivery => "bowl",
        Salon | DementiaCafe | Conversation => "cup",
        DementiaPrevention | Learning => "book",
        Hobby | Farming | Garden => "leaf",
        Volunteer | Work | Intergenerational => "people",
        Shopping => "bag",
        Watching => "house",
        Housework | SmallHelp => "tool",
        Garbage => "trash",
        Transport => "car",
        Digital => "phone",
    }
}
